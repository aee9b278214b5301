from __future__ import annotations

import datetime

import factory

from audits.choices import AgeBand, FindingKind, Grade, PlanType
from audits.models import (
    Action,
    AgencyReturn,
    Audit,
    Case,
    Finding,
    LearningSummary,
    SafeguardingConcern,
    Theme,
)
from tests.agencies.factories import AgencyFactory, PartnershipFactory, UserFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    partnership = factory.SubFactory(PartnershipFactory)
    reference = factory.Sequence(lambda n: f"MACFA {n + 100}")
    title = "Neglect"
    start_date = datetime.date(2019, 2, 4)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    audit = factory.SubFactory(AuditFactory)
    reference = factory.Sequence(lambda n: f"C{n + 1}")
    age_band = AgeBand.AGE_5_11
    level_of_need = 3
    plan_type = PlanType.CHILD_IN_NEED


class AgencyReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyReturn

    case = factory.SubFactory(CaseFactory)
    agency = factory.SubFactory(AgencyFactory)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    case = factory.SubFactory(CaseFactory)
    agency = factory.SubFactory(AgencyFactory)
    theme = factory.SubFactory(ThemeFactory, partnership=None)
    grade = Grade.GOOD
    kind = FindingKind.STRENGTH
    narrative = "Practice was good."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    audit = factory.SubFactory(AuditFactory)
    owner_agency = factory.SubFactory(AgencyFactory)
    description = "Refresh guidance on recording the child's voice."
    raised_on = datetime.date(2019, 3, 1)
    due_date = datetime.date(2019, 6, 1)


class SafeguardingConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeguardingConcern

    case = factory.SubFactory(CaseFactory)
    agency = factory.SubFactory(AgencyFactory)
    description = "Urgent check needed."
    raised_by = factory.SubFactory(UserFactory)


class LearningSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningSummary

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Summary {n}")
