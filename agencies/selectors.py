"""Reads about who holds which role where. Every scoping rule starts from these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from agencies.models import Membership, Partnership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

    Actor = AbstractBaseUser | AnonymousUser


def memberships_for(actor: Actor) -> QuerySet[Membership]:
    if not actor.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=actor.pk)


def partnerships_for(actor: Actor) -> QuerySet[Partnership]:
    if getattr(actor, "is_superuser", False):
        return Partnership.objects.all()
    return Partnership.objects.filter(memberships__in=memberships_for(actor)).distinct()


def has_role(actor: Actor, partnership_id: int, *roles: Role, agency_id: int | None = None) -> bool:
    """Whether the actor holds one of ``roles`` in the partnership.

    With ``agency_id``, an agency-lead membership counts only when it is for that agency.
    """
    if getattr(actor, "is_superuser", False):
        return True
    memberships = memberships_for(actor).filter(partnership_id=partnership_id, role__in=roles)
    if agency_id is not None:
        memberships = memberships.exclude(Q(role=Role.AGENCY_LEAD) & ~Q(agency_id=agency_id))
    return memberships.exists()
