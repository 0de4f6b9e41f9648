"""Who may open which page of the planning workspace (`plan`) and the directory (`directory`).

Every URL name of the two namespaces has a row in `URLS`; a test fails when one is
missing, so a new page cannot be added without saying who may open it. Four users try
every row: a planner of the organising organisation, a planner of a partner
organisation, a planner of an unrelated organisation, and an anonymous visitor.
"""

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from messaging.enums import MessageState
from missions.enums import RsvpStatus
from portal.booklet_archives import archive_file_save
from portal.enums import ArchiveState
from portal.models import BookletArchive
from tests.factories import (
    FollowUpActionFactory,
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

World = SimpleNamespace
Kwargs = Callable[[World], dict]

# URLS ------------------------------------------------------------------------
# One row per URL name: (the URL's kwargs from the `world` fixture's objects, access).
#   "page"  a page for every signed-in member: 200 for all three planners.
#   "read"  an object the organisers and partners see: 200, 200, outsider 404.
#   "edit"  a page that changes an object (GET shows its form): 200, partner 404, 404.
#   "post"  POST only, changes an object: organiser's GET 405; partner's and
#           outsider's POST 404 (and changes nothing).
# Anonymous visitors are sent to the login page (302) everywhere.
# Add a row for each URL you add, in your area's section.


def _mission(w: World) -> dict:
    return {"pk": w.mission.pk}


def _item(w: World) -> dict:
    return {"pk": w.item.pk}


def _participant(w: World) -> dict:
    return {"pk": w.participant.pk}


def _organisation(w: World) -> dict:
    return {"pk": w.organiser.pk}


def _none(w: World) -> dict:
    return {}


def _failed_message(w: World) -> dict:
    """A failed invitation to the world's participant."""
    message = OutgoingMessageFactory(participant=w.participant, state=MessageState.FAILED)
    return {"pk": message.pk}


def _ready_booklets(w: World) -> dict:
    """A ready ZIP of the world's mission's booklets."""
    archive = BookletArchive.objects.create(
        mission=w.mission, state=ArchiveState.READY, total=1, done=1
    )
    archive_file_save(archive=archive, content=b"PK\x05\x06" + bytes(18), name="booklets.zip")
    archive.save()
    return {"pk": w.mission.pk, "archive_pk": archive.pk}


def _action(w: World) -> dict:
    """A follow-up action of the world's mission."""
    action = FollowUpActionFactory(mission=w.mission, organisation=w.organiser)
    return {"pk": action.pk}


URLS: dict[str, tuple[Kwargs, str]] = {
    # Dashboard and missions (planning/views/dashboard.py, planning/views/missions.py)
    "plan:dashboard": (_none, "page"),
    "plan:mission-create": (_none, "page"),
    "plan:mission-detail": (_mission, "read"),
    "plan:mission-edit": (_mission, "edit"),
    "plan:mission-cancel": (_mission, "edit"),
    "plan:mission-duplicate": (_mission, "edit"),
    "plan:mission-history": (_mission, "read"),
    # Itinerary builder (planning/views/itinerary.py)
    "plan:itinerary": (_mission, "read"),
    "plan:item-create": (_mission, "edit"),
    "plan:item-edit": (_item, "edit"),
    "plan:item-move": (_item, "post"),
    "plan:item-delete": (_item, "post"),
    "plan:warning-acknowledge": (_item, "post"),
    # Participants, import and exports (planning/views/participants.py)
    "plan:participant-list": (_mission, "read"),
    "plan:participant-add": (_mission, "edit"),
    "plan:participant-import": (_mission, "edit"),
    "plan:participant-export": (_mission, "read"),
    "plan:dietary-export": (_mission, "read"),
    "plan:attendance-export": (_mission, "read"),
    "plan:participant-edit": (_participant, "edit"),
    "plan:participant-delete": (_participant, "edit"),
    # Invitations, delivery status and personal links (planning/views/invitations.py)
    "plan:invitation-compose": (_mission, "edit"),
    "plan:delivery-status": (_mission, "read"),
    "plan:message-retry": (_failed_message, "post"),
    "plan:link-regenerate": (_participant, "edit"),
    "plan:link-revoke": (_participant, "edit"),
    # Reminders and follow-up (planning/views/follow_ups.py)
    "plan:follow-up": (_mission, "read"),
    "plan:action-create": (_mission, "edit"),
    "plan:action-edit": (_action, "edit"),
    "plan:contact-options": (_mission, "edit"),
    "plan:reminder-rules": (_mission, "edit"),
    # Delegate booklets (planning/views/booklets.py)
    "plan:booklets": (_mission, "edit"),
    "plan:booklets-status": (_mission, "edit"),
    "plan:booklets-download": (_ready_booklets, "edit"),
    # Directory (organisations/views.py)
    "directory:organisation-list": (_none, "page"),
    "directory:organisation-detail": (_organisation, "page"),
    "directory:organisation-options": (_none, "page"),
    "directory:venue-options": (_none, "page"),
    "directory:venue-create": (_none, "page"),
}

EXPECTED = {
    # access: (organiser, partner, outsider)
    "page": (200, 200, 200),
    "read": (200, 200, 404),
    "edit": (200, 404, 404),
    "post": (405, 404, 404),
}
USERS = ["organiser", "partner", "outsider", "anonymous"]


@pytest.fixture
def world() -> World:
    """A mission of one organisation, partnered by another, and a third one apart."""
    organiser, partner, outsider = OrganisationFactory.create_batch(3)
    mission = MissionFactory(lead_organisation=organiser, partners=[partner])
    venue = VenueFactory(organisation=organiser)
    item = ItineraryItemFactory(mission=mission, venue=venue, host=organiser)
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    participant.items.add(item)
    return World(
        organiser=organiser,
        mission=mission,
        item=item,
        participant=participant,
        venue=venue,
        users={
            "organiser": MembershipFactory(organisation=organiser).user,
            "partner": MembershipFactory(organisation=partner).user,
            "outsider": MembershipFactory(organisation=outsider).user,
            "anonymous": None,
        },
    )


def _url_names(namespace: str) -> set[str]:
    _, resolver = get_resolver().namespace_dict[namespace]
    return {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}


def test_permission_table_has_a_row_for_every_url_of_plan_and_directory():
    names = _url_names("plan") | _url_names("directory")

    assert sorted(names - URLS.keys()) == []
    assert sorted(URLS.keys() - names) == []


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_url_answers_each_user_as_the_table_says(client: Client, world: World, url_name, who):
    kwargs, access = URLS[url_name]
    url = reverse(url_name, kwargs=kwargs(world))
    user = world.users[who]
    if user is not None:
        client.force_login(user)
    # POST-only views: the organiser's GET shows the method is refused without acting;
    # everyone else POSTs, which must fail before anything changes.
    post = access == "post" and who != "organiser"

    response = client.post(url) if post else client.get(url)

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == EXPECTED[access][USERS.index(who)]


# LISTS AND COUNTS ---------------------------------------------------------------------


def test_dashboard_never_shows_or_counts_a_mission_of_another_organisation(client: Client):
    ours, theirs = OrganisationFactory.create_batch(2)
    mine = MissionFactory(title="Our mission", lead_organisation=ours)
    ParticipantFactory(mission=mine, rsvp_status=RsvpStatus.ACCEPTED)
    other_upcoming = MissionFactory(
        title="Their mission", lead_organisation=theirs, start_date=mine.start_date
    )
    ParticipantFactory.create_batch(3, mission=other_upcoming, rsvp_status=RsvpStatus.ACCEPTED)
    # The same person on both missions is counted on ours only once.
    ParticipantFactory(
        mission=other_upcoming, person=mine.participants.get().person, rsvp_status="declined"
    )
    ItineraryItemFactory(mission=other_upcoming, kind="site_visit")
    past_date = mine.start_date.replace(year=2000)
    MissionFactory(
        title="Their old mission",
        lead_organisation=theirs,
        start_date=past_date,
        end_date=past_date,
    )
    client.force_login(MembershipFactory(organisation=ours).user)

    response = client.get(reverse("plan:dashboard"))

    board = response.context
    assert [m.title for m in board["upcoming"] + board["past"]] == ["Our mission"]
    [row] = board["upcoming"] or board["past"]
    assert (row.rsvp_invited, row.rsvp_accepted, row.rsvp_declined) == (1, 1, 0)
    assert "Their" not in response.content.decode()


def test_mission_lists_of_superuser_show_every_organisation(admin_client):
    ours, theirs = OrganisationFactory.create_batch(2)
    MissionFactory(title="A", lead_organisation=ours)
    MissionFactory(title="B", lead_organisation=theirs)

    response = admin_client.get(reverse("plan:dashboard"))

    titles = sorted(m.title for m in response.context["upcoming"] + response.context["past"])
    assert titles == ["A", "B"]
