"""Writes to the partnership set-up: the partnership's own settings, partner agencies and people's roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from agencies.models import MAX_RETENTION_MONTHS, MIN_RETENTION_MONTHS, Agency, Membership, Partnership, Role
from agencies.permissions import may_manage_partnership
from macfa.errors import ApplicationError, NotAllowed
from macfa.updates import model_update

EDITABLE_PARTNERSHIP_FIELDS = ("name", "suppression_threshold", "case_detail_retention_months")
EDITABLE_AGENCY_FIELDS = ("name", "short_name", "sector")


def _require_business_unit(actor: Any, partnership_ids: Iterable[int]) -> None:
    if not all(may_manage_partnership(actor, pid) for pid in partnership_ids):
        raise NotAllowed("Only the partnership's business unit can change this.")


def partnership_update(*, actor: Any, partnership: Partnership, **changes: Any) -> Partnership:
    """Rename the partnership, change the threshold below which published counts are suppressed, or how long closed
    audits keep case-level detail (audits/services/retention.py applies it)."""
    _require_business_unit(actor, [partnership.pk])
    model_update(instance=partnership, fields=EDITABLE_PARTNERSHIP_FIELDS, data=changes)
    if partnership.suppression_threshold < 1:
        raise ApplicationError("The threshold is at least 1.", field="suppression_threshold")
    if not MIN_RETENTION_MONTHS <= partnership.case_detail_retention_months <= MAX_RETENTION_MONTHS:
        raise ApplicationError(
            f"Keep case-level detail for {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS} months after an audit "
            "closes.",
            field="case_detail_retention_months",
        )
    if Partnership.objects.filter(name=partnership.name).exclude(pk=partnership.pk).exists():
        raise ApplicationError("Another partnership has this name.", field="name")
    partnership.save()
    return partnership


def agency_create(*, actor: Any, partnerships: Iterable[Partnership], **fields: Any) -> Agency:
    """Add a partner agency to the actor's partnerships."""
    partnerships = list(partnerships)
    if not partnerships:
        raise ApplicationError("Choose the partnership this agency works with.", field="partnerships")
    _require_business_unit(actor, [p.pk for p in partnerships])
    agency = Agency()
    model_update(instance=agency, fields=EDITABLE_AGENCY_FIELDS, data=fields)
    _validate(agency)
    with transaction.atomic():
        agency.save()
        agency.partnerships.set(partnerships)
    return agency


def agency_update(
    *, actor: Any, agency: Agency, partnerships: Iterable[Partnership] | None = None, **changes: Any
) -> Agency:
    """Change an agency, or link it to and unlink it from the actor's own partnerships.

    An agency may serve several partnerships (a police force, say). A business unit links and unlinks it for its
    own partnerships only: the other partnerships' links are kept whatever the form sent. Its name and sector are
    shared by every partnership it serves, so they change only when the actor is the business unit of all of them.
    """
    # Read afresh and locked: the caller's instance may carry a prefetch limited to the actor's partnerships.
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    served = set(
        Agency.partnerships.through.objects.filter(agency_id=agency.pk).values_list("partnership_id", flat=True)
    )
    mine = {pid for pid in served if may_manage_partnership(actor, pid)}
    if not mine:
        raise NotAllowed("Only the business unit of a partnership this agency serves can change it.")
    if model_update(instance=agency, fields=EDITABLE_AGENCY_FIELDS, data=changes) and mine != served:
        raise NotAllowed(
            "This agency also serves another partnership: ask the service's operators to change its name or sector.",
        )
    _validate(agency)
    with transaction.atomic():
        agency.save()
        if partnerships is not None:
            requested = {p.pk for p in partnerships}
            _require_business_unit(actor, requested - served)
            kept = (served - mine) | requested
            if not kept:
                raise ApplicationError("An agency must serve at least one partnership.", field="partnerships")
            agency.partnerships.set(Partnership.objects.filter(pk__in=kept))
    return agency


def _validate(agency: Agency) -> None:
    if not agency.name.strip():
        raise ApplicationError("Give the agency's name.", field="name")
    if Agency.objects.filter(name=agency.name).exclude(pk=agency.pk).exists():
        raise ApplicationError("There is already an agency with this name.", field="name")


def membership_create(
    *, actor: Any, user: Any, partnership: Partnership, role: str, agency: Agency | None = None
) -> Membership:
    """Give a person a role in the partnership; an agency lead's role names their agency."""
    _require_business_unit(actor, [partnership.pk])
    if role == Role.AGENCY_LEAD:
        if agency is None:
            raise ApplicationError("Choose the agency this person leads for.", field="agency")
        if not agency.partnerships.filter(pk=partnership.pk).exists():
            raise ApplicationError("This agency is not a partner of this partnership.", field="agency")
    elif agency is not None:
        raise ApplicationError("Only an agency lead's role names an agency.", field="agency")
    if Membership.objects.filter(user=user, partnership=partnership, role=role, agency=agency).exists():
        raise ApplicationError("This person already holds this role here.", field="role")
    return Membership.objects.create(user=user, partnership=partnership, role=role, agency=agency)


def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Take a role away; the person's other roles, and everything they recorded, stay.

    Someone left with no role anywhere can do nothing in the service, so their API token goes too.
    """
    from rest_framework.authtoken.models import Token

    _require_business_unit(actor, [membership.partnership_id])
    if membership.user_id == actor.pk and membership.role == Role.BUSINESS_UNIT:
        # A slip here locks the person out of their own partnership's set-up; another member of the unit does it.
        raise NotAllowed("You cannot remove your own business unit role: ask another member of the business unit.")
    with transaction.atomic():
        membership.delete()
        if not Membership.objects.filter(user_id=membership.user_id).exists():
            Token.objects.filter(user_id=membership.user_id).delete()


def person_invite(
    *,
    actor: Any,
    partnership: Partnership,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    agency: Agency | None = None,
) -> Membership:
    """Give a person a role, creating their account first if they have none, and invite them to set a password.

    An existing account (the same email address) gets the role added: one person, one sign-in, several roles.
    """
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    _require_business_unit(actor, [partnership.pk])
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            "Enter an email address in the correct format, like name@example.org.", field="email"
        ) from None
    if not first_name.strip() or not last_name.strip():
        raise ApplicationError("Enter the person's first and last names.", field="first_name")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
        if user is None:
            user = User.objects.create_user(
                username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
            )  # no password: they choose one from the invitation
        membership = membership_create(actor=actor, user=user, partnership=partnership, role=role, agency=agency)
        if not user.has_usable_password():
            transaction.on_commit(lambda: send_invitation(user=user, partnership=partnership))
        else:  # someone who already signs in is told, so a role they did not expect does not go unnoticed
            transaction.on_commit(lambda: send_role_notice(membership=membership))
    return membership


def person_reinvite(*, actor: Any, person: Any, partnership: Partnership) -> None:
    """Send the invitation again to someone who has not set a password yet."""
    _require_business_unit(actor, [partnership.pk])
    if not Membership.objects.filter(user=person, partnership=partnership).exists():
        raise NotAllowed("This person holds no role in this partnership.")
    if person.has_usable_password():
        raise ApplicationError("This person has already set a password: they can sign in.")
    send_invitation(user=person, partnership=partnership)


def send_role_notice(*, membership: Membership) -> None:
    """Tell someone who already has an account that a partnership gave them a role."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"membership": membership, "user": membership.user, "link": settings.MACFA_SITE_URL}
    subject = " ".join(render_to_string("emails/role-given-subject.txt", context).split())
    send_mail(subject, render_to_string("emails/role-given-body.txt", context), None, [membership.user.email])


def send_invitation(*, user: Any, partnership: Partnership) -> None:
    """An email with a link to choose a password (Django's one-time password-reset token, valid for three days)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "partnership": partnership, "link": settings.MACFA_SITE_URL.rstrip("/") + path}
    subject = " ".join(render_to_string("emails/invitation-subject.txt", context).split())
    send_mail(subject, render_to_string("emails/invitation-body.txt", context), None, [user.email])
