"""Matchmaking on the demo's upcoming mission (`missions.demo.living.UPCOMING`): its
settings, its "Matchmaking with Birmingham creative-tech companies" as a meeting block at
three tables,
profiles of the delegates who come and of four Birmingham hosts, requests (some mutual,
some accepted, one waiting, one declined), and a published schedule. All invented.

Loaded by the command `load_demo` after `missions.demo.load_demo`. Idempotent: rows are
found by natural key (the mission, the item, the participant, the pair of a request)
and written only when missing or different; the schedule is made again only when a
meeting no longer lies on a slot of the block (on a later day the mission moved along).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matchmaking.models import (
    Meeting,
    MeetingBlock,
    MeetingRequest,
    Profile,
    ScheduleRun,
)
from matchmaking.selectors import blocks_of, matchmaking_settings
from matchmaking.services.blocks import block_mark, block_unmark
from matchmaking.services.meeting_requests import request_answer, request_create
from matchmaking.services.meetings import schedule_publish
from matchmaking.services.profiles import profile_save, settings_save
from matchmaking.services.scheduling import run_done, schedule_mission
from missions.demo.living import MATCHMAKING, UPCOMING
from missions.models import Mission, Participant
from organisations.models import Sector

TABLES = ["Atrium, table 1", "Atrium, table 2", "Meeting room 3"]
SLOT_MINUTES, BREAK_MINUTES = 20, 5
MAX_MEETINGS = 4


@dataclass(frozen=True)
class DemoProfile:
    offer: str
    seek: str
    pitch: str
    languages: tuple[str, ...]


PROFILES = {
    "Ines Dietrich": DemoProfile(
        "Introductions to Leipzig's creative companies and funding programmes.",
        "Birmingham partners for a joint creative-industries programme.",
        "Kreatives Leipzig: the network of Leipzig's creative industries.",
        ("de", "en"),
    ),
    "Johanna Brenner": DemoProfile(
        "2D and 3D animation for series and advertising.",
        "Co-producers for an animated children's series.",
        "An animation studio of twelve in Leipzig's Spinnerei.",
        ("de", "en"),
    ),
    "Mira Kowalczyk": DemoProfile(
        "Immersive installations and VR for museums.",
        "Venues and museums for a touring VR exhibition.",
        "Immersive media for culture, from Leipzig.",
        ("de", "en", "pl"),
    ),
    "Lena Vogt": DemoProfile(
        "Sound design and music for games and film.",
        "Game studios looking for audio partners.",
        "Sound studio for games, film and installations.",
        ("de", "en"),
    ),
    "Sabine Krüger": DemoProfile(
        "Brand design for creative and tech companies.",
        "Clients and agencies in the UK.",
        "A design agency of eight, exporting since 2019.",
        ("de", "en"),
    ),
    "Marek Lehmann": DemoProfile(
        "Documentary production and post-production.",
        "Broadcasters and co-producers in the Midlands.",
        "Documentaries for European broadcasters.",
        ("de", "en"),
    ),
    "Dr David Hardman": DemoProfile(
        "Space and support for tech start-ups at Innovation Birmingham.",
        "Leipzig companies setting up in the UK.",
        "The Midlands' largest technology campus.",
        ("en",),
    ),
    "Cliff Dennett": DemoProfile(
        "Introductions to Birmingham's games and creative-tech companies.",
        "Creative-tech companies for a soft-landing programme.",
        "Business development at Innovation Birmingham.",
        ("en", "de"),
    ),
    "Grace Okafor": DemoProfile(
        "Animation production for broadcasters and streamers.",
        "European co-producers for animated series.",
        "Second Home Studios: animation from Digbeth.",
        ("en",),
    ),
    "Tom Ellis": DemoProfile(
        "Immersive studios and residencies.",
        "Artists and studios for exchange residencies.",
        "Birmingham Open Media: art, science and technology.",
        ("en",),
    ),
}

# (asked by, asked, answer): "accepted", "declined", "mutual" (both asked), or None (waiting).
REQUESTS = [
    ("Johanna Brenner", "Grace Okafor", "mutual"),
    ("Mira Kowalczyk", "Tom Ellis", "mutual"),
    ("Ines Dietrich", "Dr David Hardman", "accepted"),
    ("Ines Dietrich", "Cliff Dennett", "accepted"),
    ("Lena Vogt", "Cliff Dennett", "accepted"),
    ("Sabine Krüger", "Dr David Hardman", "accepted"),
    ("Johanna Brenner", "Cliff Dennett", "accepted"),
    ("Marek Lehmann", "Tom Ellis", None),
    ("Sabine Krüger", "Grace Okafor", "declined"),
]


def load_demo_matchmaking(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create or bring up to date the upcoming mission's matchmaking; its counts."""
    mission = Mission.objects.filter(slug=UPCOMING).first()
    if mission is None:
        return {"profiles": 0, "requests": 0, "meetings": 0}
    with transaction.atomic():
        _settings(mission)
        _block(mission)
        people = _hosts_and_profiles(mission)
        _requests(mission, people)
        _schedule(mission, now=now or timezone.now())
    return {
        "profiles": Profile.objects.filter(participant__mission=mission).count(),
        "requests": MeetingRequest.objects.filter(mission=mission).count(),
        "meetings": Meeting.objects.filter(request__mission=mission).count(),
    }


def _settings(mission: Mission) -> None:
    found = matchmaking_settings(mission)
    if found is None or (found.requests_need_acceptance, found.max_meetings_per_person) != (
        True,
        MAX_MEETINGS,
    ):
        settings_save(
            mission=mission,
            requests_need_acceptance=True,
            slot_picking="organisers",
            max_meetings_per_person=MAX_MEETINGS,
        )


def _block(mission: Mission) -> None:
    item = mission.items.get(title=MATCHMAKING)
    for earlier in blocks_of(mission):  # a demo loaded before had the round table as block
        if earlier.item_id != item.pk:
            block_unmark(item=earlier.item)
    block = MeetingBlock.objects.filter(item=item).prefetch_related("tables").first()
    same = block is not None and (
        (block.slot_minutes, block.break_minutes) == (SLOT_MINUTES, BREAK_MINUTES)
        and [table.name for table in block.tables.all()] == TABLES
    )
    if not same:
        block_mark(item=item, slot_minutes=SLOT_MINUTES, break_minutes=BREAK_MINUTES, tables=TABLES)


def _hosts_and_profiles(mission: Mission) -> dict[str, Participant]:
    """Everyone's profile, shown to others (the hosts are the mission's participants:
    `missions.demo.living`)."""
    people = {
        participant.person.full_name: participant
        for participant in mission.participants.select_related("person").filter(
            person__full_name__in=PROFILES
        )
    }
    sectors = list(Sector.objects.filter(slug="creative-industries"))
    existing = {p.participant_id: p for p in Profile.objects.filter(participant__mission=mission)}
    for name, row in PROFILES.items():
        participant = people[name]
        profile = existing.get(participant.pk)
        wanted = (row.offer, row.seek, row.pitch, list(row.languages), True)
        if (
            profile is None
            or (
                profile.offer,
                profile.seek,
                profile.pitch,
                profile.languages,
                profile.opted_in,
            )
            != wanted
        ):
            profile_save(
                participant=participant,
                offer=row.offer,
                seek=row.seek,
                pitch=row.pitch,
                languages=row.languages,
                sectors=sectors,
                opted_in=True,
            )
    return people


def _requests(mission: Mission, people: dict[str, Participant]) -> None:
    """Each request of `REQUESTS` once: a pair with a request of either side is left."""
    for asker, asked, answer in REQUESTS:
        one, other = people[asker], people[asked]
        pair = Q(requester=one, recipient=other) | Q(requester=other, recipient=one)
        if MeetingRequest.objects.filter(pair).exists():
            continue
        request = request_create(requester=one, recipient=other, message="")
        if answer == "mutual":
            request_create(requester=other, recipient=one, message="")
        elif answer in ("accepted", "declined"):
            request_answer(request=request, answered_by=other, accept=answer == "accepted")


def _schedule(mission: Mission, *, now: dt.datetime) -> None:
    """Schedule and publish, unless the published schedule still fits the block."""
    meetings = list(Meeting.objects.filter(request__mission=mission))
    slots = {
        (block.pk, starts_at) for block in blocks_of(mission) for starts_at, _ in block.slot_times()
    }
    if meetings and all((m.block_id, m.starts_at) in slots for m in meetings):
        return
    Meeting.objects.filter(request__mission=mission).delete()
    result = schedule_mission(mission=mission, time_limit=5, gap_time_limit=2)
    schedule_publish(mission=mission)
    ScheduleRun.objects.create(mission=mission, **run_done(result), started_at=now, finished_at=now)
