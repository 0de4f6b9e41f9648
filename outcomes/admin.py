"""Outcomes and the yearly exchange rates in the Django admin (the rates are kept here)."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from outcomes.models import ExchangeRate, Outcome


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    list_display = ["mission", "kind", "status", "date", "value", "currency", "recorded_for"]
    list_filter = ["kind", "status", "currency"]
    list_select_related = ["mission", "recorded_for"]
    search_fields = ["mission__title", "evidence", "organisations__name"]
    autocomplete_fields = ["mission", "organisations", "recorded_for"]
    raw_id_fields = ["participants", "follow_up_action", "meeting", "recorded_by"]
    date_hierarchy = "date"


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["year", "currency", "rate", "reporting_currency"]
    list_filter = ["currency"]
    search_fields = ["currency"]

    @admin.display(description=_("reporting currency"))
    def reporting_currency(self, rate: ExchangeRate) -> str:
        return settings.OUTCOMES_REPORTING_CURRENCY
