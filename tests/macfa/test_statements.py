"""A queryset compiled once runs again with new values in the right places, or says it cannot (macfa.statements)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from audits.models import Finding
from macfa import statements
from macfa.statements import NotCompilable, Slots, compiled
from tests.audits.factories import FindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh() -> None:
    statements.forget_all()


def test_values_go_back_where_they_came_from() -> None:
    first, second = FindingFactory(grade=1), FindingFactory(grade=3)
    for finding in (first, second):
        slots = Slots()
        pairs = slots.take(finding.case_id), slots.take(str(finding.grade))
        statement = compiled(
            "two values",
            lambda which, pairs=pairs: Finding.objects.filter(case_id=pairs[0][which], grade=pairs[1][which]),
            slots,
        )
        assert statement is not None
        assert [found.pk for found in statement.instances(*slots.values)] == [finding.pk]


def test_a_constant_equal_to_a_stand_in_is_left_alone() -> None:
    finding = FindingFactory(grade=2)
    slots = Slots()
    a, b = slots.take(finding.pk)
    assert a == 32_000  # the first stand-in; a constant with that value must not be taken for the request's value
    statement = compiled("constant", lambda which: Finding.objects.filter(Q(pk=(a, b)[which]) | Q(pk=32_000)), slots)
    assert statement is not None
    assert [found.pk for found in statement.instances(finding.pk)] == [finding.pk]


def test_a_value_used_twice_or_transformed_cannot_be_compiled() -> None:
    slots = Slots()
    a, b = slots.take("3")
    with pytest.raises(NotCompilable):
        compiled(
            "twice", lambda which: Finding.objects.filter(Q(grade=(a, b)[which]) | Q(self_grade=(a, b)[which])), slots
        )
    with pytest.raises(NotCompilable):  # remembered for the key, not compiled again
        compiled("twice", lambda which: pytest.fail("compiled again"), slots)
    text = Slots()
    a, b = text.take("neglect")
    with pytest.raises(NotCompilable):
        compiled("search", lambda which: Finding.objects.filter(narrative__icontains=(a, b)[which]), text)


def test_a_queryset_that_can_match_nothing_is_none() -> None:
    slots = Slots()
    a, b = slots.take(1)
    assert compiled("nothing", lambda which: Finding.objects.filter(pk__in=[]).filter(pk=(a, b)[which]), slots) is None


def test_values_of_other_kinds_are_refused_before_compiling() -> None:
    with pytest.raises(NotCompilable):
        Slots().take(1.5)


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 3)
    for key in range(10):
        slots = Slots()
        a, b = slots.take(1)
        compiled(key, lambda which, a=a, b=b: Finding.objects.filter(pk=(a, b)[which]), slots)
        assert len(statements._statements) <= 3
