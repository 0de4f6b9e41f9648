"""The directory in the Django admin: sectors, organisations, venues, people, memberships."""

from django.contrib import admin
from django.db import models
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from organisations.models import Membership, Organisation, Person, Sector, Venue


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_de", "slug"]
    search_fields = ["name", "name_de", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "city",
        "country",
        "parent",
        "two_factor_required",
    ]
    list_filter = ["kind", "sectors", ("country", CountryFilter), "two_factor_required"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "city"]
    autocomplete_fields = ["parent", "sectors"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "time_zone", "capacity", "organisation"]
    list_filter = [("country", CountryFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "address", "city", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "email", "job_title", "organisation", "preferred_language"]
    list_filter = ["preferred_language", ("organisation__country", CountryFilter)]
    list_select_related = ["organisation"]
    search_fields = ["full_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    # Django's UserAdmin searches users, which the user autocomplete needs.
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
