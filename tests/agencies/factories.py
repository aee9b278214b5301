from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership, Partnership, Role, Sector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password("correct-horse-battery")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Testshire Partnership {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testshire Agency {n}")
    sector = Sector.HEALTH

    @factory.post_generation
    def partnerships(obj, create: bool, extracted: list[Partnership] | None, **kwargs: object) -> None:
        if create and extracted:
            obj.partnerships.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.BOARD_MEMBER
    agency = None
