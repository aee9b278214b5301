from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from agencies.models import Agency, Membership, Partnership, Role, Sector
from agencies.selectors import agencies_for, memberships_for, partnerships_for
from audits.api.history import HistoryMixin
from macfa.filters import FilterSet, scoped


class PartnershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = ["id", "name", "slug", "suppression_threshold", "case_detail_retention_months"]


class AgencySerializer(serializers.ModelSerializer):
    partnerships = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "sector", "partnerships"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "partnership", "role", "agency"]


class AgencyFilter(FilterSet):
    sector = django_filters.MultipleChoiceFilter(distinct=False, choices=Sector.choices)
    partnership = scoped(partnerships_for, "partnerships")
    search = django_filters.CharFilter(method="filter_search", label="Name contains")

    class Meta:
        model = Agency
        fields = ["sector", "partnership"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(short_name__icontains=value)


class MembershipFilter(FilterSet):
    partnership = scoped(partnerships_for)
    agency = scoped(agencies_for)
    role = django_filters.MultipleChoiceFilter(distinct=False, choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["partnership", "role", "agency"]


class PartnershipViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet):
    """The partnerships you belong to."""

    serializer_class = PartnershipSerializer
    ordering_fields = ["name"]

    def get_queryset(self):
        return partnerships_for(self.request.user).order_by("name")


class AgencyViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet):
    """Partner agencies of your partnerships."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    ordering_fields = ["name", "sector"]

    def get_queryset(self):
        # A shared agency names only the asker's partnerships, never the others it serves.
        partnerships = Prefetch("partnerships", queryset=partnerships_for(self.request.user))
        return agencies_for(self.request.user).prefetch_related(partnerships).order_by("name").distinct()


class MembershipViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet):
    """Who holds which role in your partnerships."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["role", "user__username"]

    def get_queryset(self):
        return (
            memberships_for(self.request.user)
            .select_related("user")
            .order_by("partnership_id", "role", "user__username")
        )
