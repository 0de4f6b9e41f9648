"""Missions, their itinerary and their participants in the Django admin.

Times are stored in UTC. Lists show each time in the zone of its place, with the zone
named. Change forms take and show date-times in the mission's destination zone: the
whole change-form view, including the rendering of its response and the parsing of a
POST, runs under `timezone.override(mission.time_zone)`.
"""

import zoneinfo

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AdminSplitDateTime,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms import BaseInlineFormSet, Form, MultiWidget, Widget
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from matchmaking.models import (
    MatchmakingSettings,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    Profile,
    ScheduleRun,
    Table,
    Unavailability,
)
from messaging.enums import MessageState
from messaging.invitations import invitations_send, participant_message_retry, queued_text
from messaging.models import OutgoingMessage, ReminderRule
from missions import tokens
from missions.display import format_local
from missions.models import (
    AuditEntry,
    Feedback,
    FollowUpAction,
    ItemRating,
    ItineraryItem,
    Mission,
    Participant,
    WarningAcknowledgement,
)
from organisations.admin import PersonAdmin as DirectoryPersonAdmin
from organisations.models import Person
from planning.services import personal_data

UTC = zoneinfo.ZoneInfo("UTC")


def _mission_from_query(request: HttpRequest) -> Mission | None:
    """The mission named by `?mission=<pk>` (as on an add page opened from a mission)."""
    pk = request.GET.get("mission", "")
    if not pk.isdigit():
        return None
    return Mission.objects.filter(pk=pk).first()


def _count_per_mission(model: type[models.Model]) -> Coalesce:
    """How many rows of `model` belong to each mission: one subquery, no row multiplication."""
    counts = (
        model.objects.filter(mission=OuterRef("pk"))
        .order_by()
        .values("mission")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), 0)


class MissionStatusFilter(admin.ChoicesFieldListFilter):
    """The status of an item's or participant's mission, titled so as not to be their own."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("mission status")


class ZonedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs with the zone of the time named beside them
    (`show_zone`), or, in a table whose column names it, a hidden note.

    The change forms here show times in the mission's zone on purpose, so the admin
    script's "You are 9 hours behind server time" (the browser's zone against the
    page's) is beside the point: the script adds no warning where the input's container
    already holds an element of the class `timezonewarning`, which this note is.
    """

    template_name = "admin/widgets/zoned_split_datetime.html"

    def __init__(self, attrs=None, *, show_zone: bool = True) -> None:
        super().__init__(attrs)
        self.show_zone = show_zone

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Rendered inside the change form's `timezone.override`: the mission's zone.
        context["zone"] = timezone.get_current_timezone_name()
        context["show_zone"] = self.show_zone
        return context


class ZonedDate(AdminDateWidget):
    """A mission's own dates (first, last day, RSVP deadline): local dates where it takes
    place, said beside the input, in place of the admin script's zone warning."""

    template_name = "admin/widgets/zoned_date.html"


class MissionZoneFormMixin:
    """Enter and show the date-times of the change form in a mission's destination zone.

    Subclasses name the mission with `form_mission`. Without one the form is in UTC.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            kwargs["widget"] = ZonedDate
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def form_mission(self, request: HttpRequest, object_id: str | None) -> Mission | None:
        raise NotImplementedError

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        mission = self.form_mission(request, object_id)
        with timezone.override(mission.time_zone if mission else UTC):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # The form's widgets convert the stored UTC values when the template renders,
            # so render before leaving the zone.
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response


class ZoneHelpTextMixin:
    """Name the current zone (the mission's, inside the change form) beside date-time
    inputs (`ZonedSplitDateTime`); in an inline's table, in the column's help instead."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        tabular = isinstance(self, admin.TabularInline)
        if isinstance(db_field, models.DateTimeField):
            kwargs["widget"] = ZonedSplitDateTime(show_zone=not tabular)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateTimeField):
            # "Starts, date", "Starts, time": the field's label is for neither input alone.
            _name_inputs(formfield.widget, column=capfirst(formfield.label))
        if tabular and formfield is not None and isinstance(db_field, models.DateTimeField):
            zone = timezone.get_current_timezone_name()
            note = _("Time in %(zone)s.") % {"zone": zone}
            formfield.help_text = (
                format_lazy("{} {}", note, formfield.help_text) if formfield.help_text else note
            )
        return formfield


class MissionObjectZoneMixin(MissionZoneFormMixin, ZoneHelpTextMixin):
    """The change form of an object of a mission (an item, a participant, an
    unavailability, a meeting): its dates and times in the mission's zone, each input
    named with it. A new one takes the mission of `?mission=<pk>`; an existing one
    its own, which subclasses reach with `mission_of`."""

    def mission_of(self, obj: models.Model) -> Mission:
        raise NotImplementedError

    def form_mission(self, request: HttpRequest, object_id: str | None) -> Mission | None:
        if object_id is None:
            return _mission_from_query(request)
        obj = self.get_object(request, unquote(object_id))
        return self.mission_of(obj) if obj else None


def _name_inputs(widget: Widget, *, column: str, row: int | str | None = None) -> None:
    """Name the inputs of `widget` by their field (or column) and row: "Title, row 2"; a
    date-time's pair of inputs "Starts, date, row 2" and "Starts, time, row 2"."""
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if widget.is_hidden:
        return
    if isinstance(widget, MultiWidget):
        for part, subwidget in zip((_("date"), _("time")), widget.widgets, strict=False):
            _name_inputs(subwidget, column=f"{column}, {part}", row=row)
        return
    if row is None:
        widget.attrs["aria-label"] = column
    else:
        widget.attrs["aria-label"] = _("%(field)s, row %(number)s") % {
            "field": column,
            "number": row,
        }


class RowLabelledFormSet(BaseInlineFormSet):
    """A tabular inline's rows, each input named by its column and its row: the table's
    head shows the column's label once, for no input in particular."""

    def add_fields(self, form: Form, index: int | None) -> None:
        super().add_fields(form, index)
        row = _("new row") if index is None else index + 1
        for field in form.fields.values():
            # The column's label as the table's head shows it.
            _name_inputs(field.widget, column=capfirst(field.label), row=row)


class ClearlessAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """The admin's autocomplete for many choices, without select2's "remove all" cross:
    select2 puts it inside its list of choices, where a list may hold items only (each
    choice keeps its own cross)."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-allow-clear"] = "false"
        return attrs


class AccessibleAutocompleteMixin:
    """Autocompletes for many choices without the "remove all" cross (see above). The
    names of select2's own inputs come from static/js/admin-autocomplete-names.js."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ClearlessAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ItineraryItemInline(ZoneHelpTextMixin, admin.TabularInline):
    model = ItineraryItem
    formset = RowLabelledFormSet
    fields = [
        "starts_at",
        "ends_at",
        "local_start",
        "title",
        "kind",
        "venue",
        "host",
        "is_cancelled",
    ]
    readonly_fields = ["local_start"]
    autocomplete_fields = ["venue", "host"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ItineraryItem]:
        return super().get_queryset(request).select_related("mission", "venue", "host")

    @admin.display(description=_("starts, local time of the place"))
    def local_start(self, item: ItineraryItem) -> str | None:
        if item.pk is None:
            return None
        return format_local(item.starts_at, item.time_zone)


class ParticipantInline(ZoneHelpTextMixin, admin.TabularInline):
    model = Participant
    formset = RowLabelledFormSet
    fields = [
        "person",
        "role",
        "rsvp_status",
        "arrival_at",
        "arrival_details",
        "departure_at",
        "departure_details",
    ]
    autocomplete_fields = ["person"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Participant]:
        return super().get_queryset(request).select_related("person")


@admin.register(Mission)
class MissionAdmin(AccessibleAutocompleteMixin, MissionZoneFormMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "status",
        "kind",
        "destination_city",
        "destination_country",
        "start_date",
        "end_date",
        "lead_organisation",
        "item_count",
        "participant_count",
    ]
    list_filter = ["status", "kind", ("destination_country", CountryFilter), "start_date"]
    list_select_related = ["lead_organisation"]
    date_hierarchy = "start_date"
    search_fields = ["title", "slug", "destination_city", "lead_organisation__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_organisation", "organisers", "partners", "sectors"]
    inlines = [ItineraryItemInline, ParticipantInline]

    def form_mission(self, request: HttpRequest, object_id: str | None) -> Mission | None:
        return self.get_object(request, unquote(object_id)) if object_id else None

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Mission]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_count=_count_per_mission(ItineraryItem),
                participant_count=_count_per_mission(Participant),
            )
        )

    def get_inlines(self, request: HttpRequest, obj: Mission | None) -> list:
        # Item and travel times are entered in the destination's zone, which a mission
        # being added does not have yet.
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Mission | None = None) -> list:
        if obj is None:
            zone_note = _(
                "Save the mission to add its itinerary and participants: their times are "
                "entered in the destination's time zone."
            )
        else:
            zone_note = _(
                "The itinerary and the participants' arrivals and departures below are "
                "entered and shown in %(zone)s, the destination's time zone."
            ) % {"zone": obj.time_zone.key}
        return [
            (None, {"fields": ["title", "slug", "kind", "status"]}),
            (
                _("Destination and dates"),
                {
                    "fields": [
                        ("destination_city", "destination_country"),
                        "time_zone",
                        ("start_date", "end_date"),
                        "rsvp_deadline",
                    ],
                    "description": zone_note,
                },
            ),
            (
                _("Organisations"),
                {"fields": ["lead_organisation", "organisers", "partners", "sectors"]},
            ),
            (_("Content"), {"fields": ["objectives", "description"]}),
        ]

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, mission: Mission) -> int:
        return mission.item_count

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, mission: Mission) -> int:
        return mission.participant_count


@admin.register(ItineraryItem)
class ItineraryItemAdmin(MissionObjectZoneMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "mission",
        "kind",
        "local_starts_at",
        "local_ends_at",
        "venue",
        "host",
        "audience",
        "is_cancelled",
    ]
    list_filter = ["kind", "audience", "is_cancelled", ("mission__status", MissionStatusFilter)]
    list_select_related = ["mission", "venue", "host"]
    search_fields = ["title", "mission__title", "venue__name", "host__name"]
    autocomplete_fields = ["mission", "venue", "host"]
    readonly_fields = ["local_times"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["mission", "kind", "title", "description"]}),
        (_("When"), {"fields": [("starts_at", "ends_at"), "local_times"]}),
        (_("Where"), {"fields": ["venue", "host", "meeting_point", "online_link"]}),
        (_("Who"), {"fields": ["audience", "capacity", "is_cancelled"]}),
    ]

    def mission_of(self, item: ItineraryItem) -> Mission:
        return item.mission

    @admin.display(description=_("starts"), ordering="starts_at")
    def local_starts_at(self, item: ItineraryItem) -> str:
        return format_local(item.starts_at, item.time_zone)

    @admin.display(description=_("ends"), ordering="ends_at")
    def local_ends_at(self, item: ItineraryItem) -> str:
        return format_local(item.ends_at, item.time_zone)

    @admin.display(description=_("local time of the place"))
    def local_times(self, item: ItineraryItem) -> str | None:
        if item.pk is None:
            return None
        return format_html(
            "{} – {}",
            format_local(item.starts_at, item.time_zone),
            format_local(item.ends_at, item.time_zone),
        )


@admin.register(Participant)
class ParticipantAdmin(AccessibleAutocompleteMixin, MissionObjectZoneMixin, SimpleHistoryAdmin):
    list_display = [
        "person",
        "mission",
        "role",
        "rsvp_status",
        "local_arrival_at",
        "local_departure_at",
    ]
    list_filter = ["role", "rsvp_status", ("mission__status", MissionStatusFilter)]
    list_select_related = ["person", "mission"]
    search_fields = ["person__full_name", "person__email", "mission__title"]
    autocomplete_fields = ["mission", "person", "items"]
    fieldsets = [
        (None, {"fields": ["mission", "person", "role", "rsvp_status"]}),
        (
            _("What they told this mission"),
            {"fields": ["phone", "dietary_requirements", "accessibility_needs"]},
        ),
        (
            _("Travel"),
            {
                "fields": [
                    ("arrival_at", "arrival_details"),
                    ("departure_at", "departure_details"),
                ]
            },
        ),
        (None, {"fields": ["items", "notes"]}),
    ]

    def mission_of(self, participant: Participant) -> Mission:
        return participant.mission

    @admin.display(description=_("arrival"), ordering="arrival_at")
    def local_arrival_at(self, participant: Participant) -> str | None:
        if participant.arrival_at is None:
            return None
        return format_local(participant.arrival_at, participant.mission.time_zone)

    @admin.display(description=_("departure"), ordering="departure_at")
    def local_departure_at(self, participant: Participant) -> str | None:
        if participant.departure_at is None:
            return None
        return format_local(participant.departure_at, participant.mission.time_zone)

    # INVITATIONS AND PERSONAL LINKS (the workspace's side: planning/views/invitations.py)
    actions = ["send_invitation", "regenerate_links", "revoke_links"]

    @admin.action(
        description=_("Send invitation to the selected participants"),
        permissions=["change"],
    )
    def send_invitation(self, request: HttpRequest, queryset) -> None:
        by_mission: dict[int, list[Participant]] = {}
        for participant in queryset.select_related("mission", "person").order_by("pk"):
            by_mission.setdefault(participant.mission_id, []).append(participant)
        queued = skipped = 0
        for group in by_mission.values():
            try:
                sent = invitations_send(
                    mission=group[0].mission, participants=group, sent_by=request.user
                )
            except ValidationError as error:  # cancelled or ended: nobody of it is invited
                text = f"{group[0].mission.title}: {' '.join(error.messages)}"
                self.message_user(request, text, level=messages.WARNING)
                continue
            queued += sent
            skipped += len(group) - sent
        self.message_user(request, queued_text(queued=queued, skipped=skipped))

    @admin.action(
        description=_("Give the selected participants new personal links"),
        permissions=["change"],
    )
    def regenerate_links(self, request: HttpRequest, queryset) -> None:
        participants = list(queryset)
        for participant in participants:
            tokens.token_issue(participant=participant)
        self.message_user(
            request,
            ngettext(
                "%(count)d new personal link; earlier links no longer work.",
                "%(count)d new personal links; earlier links no longer work.",
                len(participants),
            )
            % {"count": len(participants)},
        )

    @admin.action(description=_("Revoke personal links"), permissions=["change"])
    def revoke_links(self, request: HttpRequest, queryset) -> None:
        participants = list(queryset.exclude(token_nonce=""))
        for participant in participants:
            tokens.token_revoke(participant=participant)
        self.message_user(
            request,
            ngettext(
                "%(count)d personal link revoked.",
                "%(count)d personal links revoked.",
                len(participants),
            )
            % {"count": len(participants)},
        )


@admin.register(WarningAcknowledgement)
class WarningAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["item", "rule", "subject", "acknowledged_by", "acknowledged_at", "reason"]
    list_filter = ["rule", "acknowledged_at"]
    list_select_related = ["item", "acknowledged_by"]
    search_fields = ["item__title", "item__mission__title", "reason"]
    autocomplete_fields = ["item", "acknowledged_by"]
    date_hierarchy = "acknowledged_at"


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = [
        "recipient_email",
        "kind",
        "state",
        "attempts",
        "mission",
        "due_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "kind", "language"]
    list_select_related = ["mission"]
    search_fields = ["recipient_email", "recipient_name", "message_id", "mission__title"]
    autocomplete_fields = ["mission", "participant", "action"]
    date_hierarchy = "created_at"
    readonly_fields = ["message_id", "created_at", "enqueued_at", "locked_at", "sent_at"]
    actions = ["retry_failed"]

    @admin.action(description=_("Retry the selected failed messages"))
    def retry_failed(self, request: HttpRequest, queryset) -> None:
        failed = queryset.filter(state=MessageState.FAILED).select_related("participant__person")
        retried = sum(participant_message_retry(message=message) for message in failed)
        text = ngettext(
            "%(count)d message queued again.", "%(count)d messages queued again.", retried
        )
        self.message_user(request, text % {"count": retried})


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["mission", "kind", "days", "anchor", "is_active"]
    list_filter = ["kind", "anchor", "is_active"]
    list_select_related = ["mission"]
    search_fields = ["mission__title"]
    autocomplete_fields = ["mission"]


class ItemRatingInline(admin.TabularInline):
    """The ratings of the mission's items in the feedback (an item of the participant's
    mission only: `ItemRating.clean`)."""

    model = ItemRating
    formset = RowLabelledFormSet  # each input named by its column and row
    fields = ["item", "rating"]
    autocomplete_fields = ["item"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ItemRating]:
        return super().get_queryset(request).select_related("item")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["participant", "rating", "comment", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["participant__person", "participant__mission"]
    search_fields = ["participant__person__full_name", "participant__mission__title", "comment"]
    autocomplete_fields = ["participant"]
    date_hierarchy = "created_at"
    inlines = [ItemRatingInline]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(SimpleHistoryAdmin):
    list_display = ["agreed", "organisation", "contact", "owner", "due_date", "status", "mission"]
    list_filter = ["status", "due_date"]
    list_select_related = ["organisation", "contact", "owner", "mission"]
    search_fields = ["agreed", "organisation__name", "contact__full_name", "mission__title"]
    autocomplete_fields = ["mission", "organisation", "contact", "owner"]
    date_hierarchy = "due_date"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: written only by `missions.audit`, never by hand."""

    list_display = ["at", "actor", "action", "mission", "person", "description", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["mission", "person"]
    search_fields = ["actor", "description", "mission__title", "ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# MATCHMAKING: settings, profiles, requests, blocks and tables, unavailability, meetings,
# the scheduler's runs (the staff's pages are planning/views/matchmaking.py).


@admin.register(MatchmakingSettings)
class MatchmakingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "mission",
        "requests_need_acceptance",
        "slot_picking",
        "max_meetings_per_person",
        "updated_at",
    ]
    list_filter = ["requests_need_acceptance", "slot_picking"]
    list_select_related = ["mission"]
    search_fields = ["mission__title"]
    autocomplete_fields = ["mission"]


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["participant", "opted_in", "updated_at"]
    list_filter = ["opted_in"]
    list_select_related = ["participant__person", "participant__mission"]
    search_fields = ["participant__person__full_name", "participant__mission__title", "pitch"]
    autocomplete_fields = ["participant"]
    filter_horizontal = ["sectors"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(SimpleHistoryAdmin):
    list_display = ["requester", "recipient", "status", "mutual", "mission", "created_at"]
    list_filter = ["status", "mutual"]
    # Each participant is named with their mission (`Participant.__str__`).
    list_select_related = [
        "requester__person",
        "requester__mission",
        "recipient__person",
        "recipient__mission",
        "mission",
    ]
    search_fields = [
        "requester__person__full_name",
        "recipient__person__full_name",
        "mission__title",
    ]
    autocomplete_fields = ["mission", "requester", "recipient"]
    date_hierarchy = "created_at"


class TableInline(admin.TabularInline):
    model = Table
    formset = RowLabelledFormSet  # each input named by its column and row
    extra = 0


@admin.register(MeetingBlock)
class MeetingBlockAdmin(admin.ModelAdmin):
    list_display = ["item", "slot_minutes", "break_minutes", "table_count"]
    list_select_related = ["item__mission"]
    search_fields = ["item__title", "item__mission__title"]
    autocomplete_fields = ["item"]
    inlines = [TableInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(tables_n=Count("tables"))

    @admin.display(description=_("tables"), ordering="tables_n")
    def table_count(self, block: MeetingBlock) -> int:
        return block.tables_n


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "block"]
    list_select_related = ["block__item"]
    search_fields = ["name", "block__item__title"]
    autocomplete_fields = ["block"]


@admin.register(Unavailability)
class UnavailabilityAdmin(MissionObjectZoneMixin, SimpleHistoryAdmin):
    list_display = ["participant", "starts_at", "ends_at"]
    list_select_related = ["participant__person", "participant__mission"]
    search_fields = ["participant__person__full_name", "participant__mission__title"]
    autocomplete_fields = ["participant"]

    def mission_of(self, unavailability: Unavailability) -> Mission:
        return unavailability.participant.mission


@admin.register(Meeting)
class MeetingAdmin(MissionObjectZoneMixin, SimpleHistoryAdmin):
    """Meetings as stored; a move here is not checked against the scheduler's rules:
    move meetings on the mission's grid of meetings."""

    list_display = ["request", "starts_at", "table", "locked", "state"]
    list_filter = ["state", "locked"]
    # A meeting is named by its request, whose participants by their mission too.
    list_select_related = [
        "request__requester__person",
        "request__requester__mission",
        "request__recipient__person",
        "request__recipient__mission",
        "table",
    ]
    search_fields = [
        "request__requester__person__full_name",
        "request__recipient__person__full_name",
        "request__mission__title",
    ]
    autocomplete_fields = ["request", "block", "table"]
    readonly_fields = ["uid"]
    date_hierarchy = "starts_at"

    def mission_of(self, meeting: Meeting) -> Mission:
        return meeting.request.mission


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["mission", "state", "progress", "placed", "unplaced", "created_at"]
    list_filter = ["state"]
    list_select_related = ["mission"]
    search_fields = ["mission__title"]
    autocomplete_fields = ["mission", "requested_by"]
    readonly_fields = ["created_at", "started_at", "finished_at"]
    date_hierarchy = "created_at"


# DATA SUBJECTS: the directory's person admin, with export and erasure (superusers only).
admin.site.unregister(Person)


@admin.register(Person)
class PersonAdmin(DirectoryPersonAdmin):
    actions = ["export_personal_data", "erase_personal_data"]

    def has_data_subject_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(
        description=_("Export everything held about the person (JSON)"),
        permissions=["data_subject"],
    )
    def export_personal_data(self, request: HttpRequest, queryset):
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, _("Select one person to export."), messages.WARNING)
            return None
        [person] = people
        return HttpResponse(
            personal_data.person_export_json(person=person),
            content_type="application/json; charset=utf-8",
            headers={
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=f"personal-data-{person.pk}.json"
                ),
                "Cache-Control": "private, no-store",
            },
        )

    @admin.action(
        description=_("Erase the selected people everywhere"), permissions=["data_subject"]
    )
    def erase_personal_data(self, request: HttpRequest, queryset):
        people = list(queryset.select_related("organisation"))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/organisations/person/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "people": people,
                    "action": "erase_personal_data",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "title": _("Erase people everywhere?"),
                },
            )
        for person in people:
            personal_data.person_erase(person=person)
        self.message_user(
            request,
            ngettext(
                "%(count)d person erased everywhere.",
                "%(count)d people erased everywhere.",
                len(people),
            )
            % {"count": len(people)},
        )
        return None
