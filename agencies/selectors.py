"""Who holds which role where. Every scoping rule and permission check starts from ``scope_of``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from agencies.models import Agency, Membership, Partnership, Role


@dataclass(frozen=True)
class Scope:
    """The actor's memberships, read once per request: partnership ids by role, and (partnership, agency) pairs."""

    user_id: int | None
    superuser: bool = False
    business_unit: frozenset[int] = frozenset()
    auditor: frozenset[int] = frozenset()
    board: frozenset[int] = frozenset()
    leads: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def partnerships(self) -> frozenset[int]:
        return self.business_unit | self.auditor | self.board | {pid for pid, _ in self.leads}

    def is_business_unit(self, partnership_id: int) -> bool:
        return self.superuser or partnership_id in self.business_unit

    def is_auditor(self, partnership_id: int) -> bool:
        return self.superuser or partnership_id in self.auditor

    def is_board(self, partnership_id: int) -> bool:
        return self.superuser or partnership_id in self.board

    def leads_agency(self, partnership_id: int, agency_id: int | None) -> bool:
        return self.superuser or (partnership_id, agency_id) in self.leads

    def lead_agencies(self, partnership_id: int) -> set[int]:
        return {aid for pid, aid in self.leads if pid == partnership_id}

    def has_any_role(self, partnership_id: int) -> bool:
        return self.superuser or partnership_id in self.partnerships


def scope_of(actor: Any) -> Scope:
    """The actor's scope, cached on the user object for the rest of the request."""
    if not getattr(actor, "is_authenticated", False):
        return Scope(user_id=None)
    cached = getattr(actor, "_macfa_scope", None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user_id=actor.pk).values_list("partnership_id", "role", "agency_id")
    return remember_scope(actor, memberships)


def remember_scope(actor: Any, memberships: Iterable[tuple[int | None, str | None, int | None]]) -> Scope:
    """The scope made of the actor's (partnership, role, agency) memberships, cached on the user for the request.

    Token authentication reads the memberships in the token's own query and hands them here (a row of Nones is a
    user with no membership), so an API request reads its scope without a query of its own.
    """
    by_role: dict[str, set[int]] = {role: set() for role in Role.values}
    leads: set[tuple[int, int]] = set()
    for partnership_id, role, agency_id in memberships:
        if partnership_id is None or role is None:
            continue
        by_role[role].add(partnership_id)
        if role == Role.AGENCY_LEAD and agency_id is not None:
            leads.add((partnership_id, agency_id))
    scope = Scope(
        user_id=actor.pk,
        superuser=bool(actor.is_superuser),
        business_unit=frozenset(by_role[Role.BUSINESS_UNIT]),
        auditor=frozenset(by_role[Role.AUDITOR]),
        board=frozenset(by_role[Role.BOARD_MEMBER]),
        leads=frozenset(leads),
    )
    actor._macfa_scope = scope
    return scope


def partnerships_for(actor: Any) -> QuerySet[Partnership]:
    scope = scope_of(actor)
    if scope.superuser:
        return Partnership.objects.all()
    return Partnership.objects.filter(pk__in=scope.partnerships)


def agencies_for(actor: Any) -> QuerySet[Agency]:
    scope = scope_of(actor)
    agencies = Agency.objects.all()
    if not scope.superuser:
        agencies = agencies.filter(
            pk__in=Agency.partnerships.through.objects.filter(partnership_id__in=scope.partnerships).values("agency_id")
        )
    return agencies


def memberships_for(actor: Any) -> QuerySet[Membership]:
    scope = scope_of(actor)
    memberships = Membership.objects.all()
    if not scope.superuser:
        memberships = memberships.filter(partnership_id__in=scope.partnerships)
    return memberships


def roles_of(actor: Any) -> QuerySet[Membership]:
    """The actor's own memberships: which roles they hold, where."""
    return Membership.objects.filter(user_id=actor.pk).select_related("agency", "partnership")


def people_for(actor: Any) -> QuerySet[Any]:
    """People who hold a role in one of the actor's partnerships."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__partnership__in=partnerships_for(actor)).distinct()
