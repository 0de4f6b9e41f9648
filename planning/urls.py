"""The planning workspace under /plan/ (namespace `plan`), and its directory of
organisations under /plan/directory/ (namespace `directory`).

Every view that takes an object id looks it up through missions.selectors, so an
object out of the user's scope is a 404.
"""

from django.urls import include, path

from planning.views import audit, dashboard, directory, itinerary, missions, participants
from planning.views import booklets as booklet_views
from planning.views import follow_ups as follow_up_views
from planning.views import invitations as invitation_views
from planning.views import outcomes as outcome_views
from planning.views import reports as report_views

plan_patterns = [
    # Dashboard and missions (views/dashboard.py, views/missions.py)
    path("", dashboard.dashboard, name="dashboard"),
    path("missions/new/", missions.mission_create, name="mission-create"),
    path("missions/<int:pk>/", missions.mission_detail, name="mission-detail"),
    path("missions/<int:pk>/edit/", missions.mission_edit, name="mission-edit"),
    path("missions/<int:pk>/cancel/", missions.mission_cancel, name="mission-cancel"),
    path("missions/<int:pk>/duplicate/", missions.mission_duplicate, name="mission-duplicate"),
    path("missions/<int:pk>/history/", missions.mission_history, name="mission-history"),
    # Itinerary builder (views/itinerary.py)
    path("missions/<int:pk>/itinerary/", itinerary.itinerary, name="itinerary"),
    path("missions/<int:pk>/itinerary/new/", itinerary.item_create, name="item-create"),
    path("items/<int:pk>/edit/", itinerary.item_edit, name="item-edit"),
    path("items/<int:pk>/move/", itinerary.item_move_view, name="item-move"),
    path("items/<int:pk>/reschedule/", itinerary.item_reschedule_view, name="item-reschedule"),
    path("items/<int:pk>/delete/", itinerary.item_delete_view, name="item-delete"),
    path(
        "items/<int:pk>/acknowledge/",
        itinerary.warning_acknowledge_view,
        name="warning-acknowledge",
    ),
    # Participants, import and exports (views/participants.py)
    path(
        "missions/<int:pk>/participants/",
        participants.participant_list,
        name="participant-list",
    ),
    path(
        "missions/<int:pk>/participants/add/",
        participants.participant_add_view,
        name="participant-add",
    ),
    path(
        "missions/<int:pk>/participants/import/",
        participants.participant_import,
        name="participant-import",
    ),
    path(
        "missions/<int:pk>/participants.csv",
        participants.participant_export,
        name="participant-export",
    ),
    path("missions/<int:pk>/dietary.csv", participants.dietary_export, name="dietary-export"),
    path(
        "missions/<int:pk>/attendance.csv",
        participants.attendance_export,
        name="attendance-export",
    ),
    path("participants/<int:pk>/edit/", participants.participant_edit, name="participant-edit"),
    path(
        "participants/<int:pk>/delete/",
        participants.participant_delete,
        name="participant-delete",
    ),
    # Invitations, delivery status and personal links (views/invitations.py)
    path(
        "missions/<int:pk>/invitations/",
        invitation_views.invitation_compose,
        name="invitation-compose",
    ),
    path(
        "missions/<int:pk>/participants/delivery/",
        invitation_views.delivery_status,
        name="delivery-status",
    ),
    path("messages/<int:pk>/retry/", invitation_views.message_retry, name="message-retry"),
    path(
        "participants/<int:pk>/link/regenerate/",
        invitation_views.link_regenerate,
        name="link-regenerate",
    ),
    path("participants/<int:pk>/link/revoke/", invitation_views.link_revoke, name="link-revoke"),
    # Reminders and follow-up: feedback, actions, reminder rules (views/follow_ups.py)
    path("missions/<int:pk>/follow-up/", follow_up_views.follow_up, name="follow-up"),
    path(
        "missions/<int:pk>/follow-up/actions/new/",
        follow_up_views.action_create,
        name="action-create",
    ),
    path(
        "missions/<int:pk>/follow-up/contacts/",
        follow_up_views.contact_options,
        name="contact-options",
    ),
    path("actions/<int:pk>/edit/", follow_up_views.action_edit, name="action-edit"),
    path(
        "missions/<int:pk>/reminders/",
        follow_up_views.reminder_rules,
        name="reminder-rules",
    ),
    # What a mission achieved, recorded by its organisers and partners (views/outcomes.py)
    path("missions/<int:pk>/outcomes/", outcome_views.outcome_list, name="outcome-list"),
    path(
        "missions/<int:pk>/outcomes/new/",
        outcome_views.outcome_create,
        name="outcome-create",
    ),
    path("outcomes/<int:pk>/edit/", outcome_views.outcome_edit, name="outcome-edit"),
    path("outcomes/<int:pk>/delete/", outcome_views.outcome_delete, name="outcome-delete"),
    # Delegate booklets, all of a mission's in one ZIP prepared by a worker (views/booklets.py)
    path("missions/<int:pk>/booklets/", booklet_views.mission_booklets, name="booklets"),
    path(
        "missions/<int:pk>/booklets/status/",
        booklet_views.booklets_status,
        name="booklets-status",
    ),
    path(
        "missions/<int:pk>/booklets/<int:archive_pk>/download/",
        booklet_views.booklets_download,
        name="booklets-download",
    ),
    # Outcomes across the organisation's missions: figures, charts, exports (views/reports.py)
    path("reports/", report_views.report, name="reports"),
    path("reports/print/", report_views.report_print, name="report-print"),
    path("reports/outcomes.xlsx", report_views.report_xlsx, name="report-xlsx"),
    path("reports/charts/<slug:name>.svg", report_views.chart, name="report-chart"),
    # The audit log of the organisation's missions, for its administrators (views/audit.py)
    path("audit/", audit.audit_log, name="audit-log"),
]

directory_patterns = [
    path("", directory.organisation_list, name="organisation-list"),
    path("<int:pk>/", directory.organisation_detail, name="organisation-detail"),
    # Pickers of the itinerary builder: <option> fragments for htmx active search.
    path("organisations/options/", directory.organisation_options, name="organisation-options"),
    path("venues/options/", directory.venue_options, name="venue-options"),
    path("venues/new/", directory.venue_create, name="venue-create"),
    # Everything held about one person, for planners of their organisation (data subjects)
    path("people/<int:pk>/personal-data.json", directory.person_export, name="person-export"),
]

urlpatterns = [
    path("", include((plan_patterns, "plan"))),
    path("directory/", include((directory_patterns, "directory"))),
]
