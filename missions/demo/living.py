"""The two demo missions that live relative to the day the demo is loaded. All invented.

`living_missions(now=...)` gives them in the shape of `data.MISSIONS`, their dates and
times worked out from today in each mission's destination (wall-clock times, as there),
with what has happened so far:

- Upcoming (`UPCOMING`): the next edition of the Leipzig creative-industries trade
  mission to Birmingham, three weeks ahead, three days. The invitations went out ten
  days ago; some said yes, some no, some nothing yet; the RSVP deadline is five days
  ahead. The round table at the Chamber of Commerce in Edgbaston starts 15 minutes after
  the STEAMHouse visit ends, too short a gap for the drive across town: an open
  feasibility warning. On the last morning, four Birmingham hosts meet the delegates one
  to one at the matchmaking at iCentrum (matchmaking/demo.py gives it its profiles,
  requests and published schedule).
- Under way (`UNDER_WAY`): a Birmingham life-sciences delegation in Leipzig, from
  yesterday to tomorrow, with items earlier and later today; follow-up actions agreed
  yesterday (some already overdue) and the first feedback.

`participants[…]["answered"]` is when a person answered (None: not yet), `invited` when
the invitations went out; `messaging.demo` adds the mail that follows from them.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.utils import timezone

from missions.demo.data import (
    ANIMATION_AND_FILM,
    BCC,
    BERLIN,
    BIO_CITY,
    BIO_CITY_VENUE,
    BIO_NET,
    BOM,
    BOM_VENUE,
    CHAMBER_HOUSE,
    COUNCIL_HOUSE,
    CUSTARD_FACTORY,
    GBCC,
    GEWANDHAUS,
    GEWANDHAUS_VENUE,
    ICENTRUM,
    INNOVATION_BIRMINGHAM,
    IRL,
    KREATIVES,
    LEIPZIG,
    LONDON,
    NEUES_RATHAUS,
    OLD_CROWN,
    SECOND_HOME,
    SPINLAB,
    SPINLAB_VENUE,
    STEAMHOUSE,
    STEAMHOUSE_VENUE,
    WMCA,
    WMGC,
)
from missions.enums import (
    ActionStatus,
    Audience,
    ItemKind,
    MissionKind,
    MissionStatus,
    ParticipantRole,
    RsvpStatus,
)

UPCOMING = "leipzig-creative-trade-mission-birmingham-upcoming"
UNDER_WAY = "birmingham-life-sciences-delegation-leipzig-under-way"
SLUGS = (UPCOMING, UNDER_WAY)

# The upcoming mission starts on the first Tuesday at least this many days after today;
# its RSVP deadline is this many days ahead (within the dashboard's week).
UPCOMING_IN_DAYS = 21
TUESDAY = 1  # dt.date.weekday()
DEADLINE_IN_DAYS = 5

# Who owns the follow-up actions: a planner of Birmingham City Council, the person of
# that name. An account without a usable password (`load_demo` makes it): it cannot sign
# in, it only owns the actions and gets their reminders.
ACTION_OWNER = {"username": "lloyd.broad", "person": "Lloyd Broad", "organisation": BCC}

ACCEPTED, DECLINED = RsvpStatus.ACCEPTED, RsvpStatus.DECLINED
TENTATIVE, INVITED = RsvpStatus.TENTATIVE, RsvpStatus.INVITED
SECOND_HOME_MEETINGS = "Second Home Studios: meetings with animation producers"
# The upcoming mission's meeting block: the demo's matchmaking (matchmaking/demo.py).
MATCHMAKING = "Matchmaking with Birmingham creative-tech companies"

Clock = Callable[[int, str], dt.datetime]


def _clock(today: dt.date) -> Clock:
    """`at(days, "hh:mm")`: that wall-clock time, `days` after today (naive, local)."""

    def at(days: int, time: str) -> dt.datetime:
        hour, minute = (int(part) for part in time.split(":"))
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute))

    return at


def living_missions(*, now: dt.datetime | None = None) -> list[dict]:
    """The upcoming and the under-way mission, relative to `now` (default: now)."""
    now = now or timezone.now()
    return [
        _upcoming(timezone.localdate(now, zoneinfo.ZoneInfo(LONDON))),
        _under_way(timezone.localdate(now, zoneinfo.ZoneInfo(BERLIN))),
    ]


def _upcoming(today: dt.date) -> dict:
    at = _clock(today)
    # Tuesday to Thursday, as the first edition: the first Tuesday three weeks ahead.
    soonest = today + dt.timedelta(days=UPCOMING_IN_DAYS)
    first = UPCOMING_IN_DAYS + (TUESDAY - soonest.weekday()) % 7
    start = today + dt.timedelta(days=first)

    def answered(person: str, rsvp: str, days_ago: int | None, time: str = "", **more) -> dict:
        return {
            "person": person,
            "role": ParticipantRole.DELEGATE,
            "rsvp": rsvp,
            "answered": at(-days_ago, time) if days_ago is not None else None,
            "items": [SECOND_HOME_MEETINGS] if person in ANIMATION_AND_FILM else [],
            **more,
        }

    return {
        "slug": UPCOMING,
        "title": "Leipzig creative industries trade mission to Birmingham: second edition",
        "kind": MissionKind.INBOUND,
        "status": MissionStatus.CONFIRMED,
        "city": "Birmingham", "country": "GB", "tz": LONDON,
        "start": start, "end": start + dt.timedelta(days=2),
        "rsvp_deadline": today + dt.timedelta(days=DEADLINE_IN_DAYS),
        "lead": BCC, "organisers": [BCC, LEIPZIG], "partners": [WMCA, WMGC, GBCC, KREATIVES],
        "sectors": ["creative-industries"],
        "objectives": "Turn the contacts of the first edition into projects: co-productions "
        "in animation and immersive media, studio exchanges, and Leipzig companies exporting "
        "through Birmingham's creative networks.",
        "description": "The second edition, prepared with Kreatives Leipzig and the City of "
        "Leipzig. Returning companies and newcomers; the Lord Mayor welcomes the delegation "
        "at the Council House.",
        "invited": at(-10, "10:00"),
        "items": [
            {"title": "STEAMHouse: creative businesses and the SoundLab",
             "kind": ItemKind.SITE_VISIT, "starts": at(first, "10:00"),
             "ends": at(first, "12:00"), "venue": STEAMHOUSE_VENUE, "host": STEAMHOUSE},
            # 15 minutes to drive from Digbeth to Edgbaston: the open feasibility warning.
            {"title": "Round table at the Chamber of Commerce: creative exports",
             "kind": ItemKind.ROUND_TABLE, "starts": at(first, "12:15"),
             "ends": at(first, "14:00"), "venue": CHAMBER_HOUSE, "host": GBCC,
             "description": "With the Chamber's international trade team and Birmingham "
             "creative companies selling abroad."},
            {"title": "Welcome reception by the Lord Mayor", "kind": ItemKind.RECEPTION,
             "starts": at(first, "18:30"), "ends": at(first, "20:30"),
             "venue": COUNCIL_HOUSE, "host": BCC},
            {"title": "Birmingham Open Media: immersive studios", "kind": ItemKind.SITE_VISIT,
             "starts": at(first + 1, "09:30"), "ends": at(first + 1, "11:30"),
             "venue": BOM_VENUE, "host": BOM},
            {"title": "Lunch at the Custard Factory", "kind": ItemKind.MEAL,
             "starts": at(first + 1, "12:15"), "ends": at(first + 1, "13:15"),
             "venue": CUSTARD_FACTORY},
            {"title": SECOND_HOME_MEETINGS, "kind": ItemKind.MEETING,
             "starts": at(first + 1, "14:00"), "ends": at(first + 1, "16:00"),
             "host": SECOND_HOME, "meeting_point": "Custard Factory, Gibb Street entrance",
             "audience": Audience.SELECTED, "capacity": 6},
            {"title": MATCHMAKING, "kind": ItemKind.MEETING, "starts": at(first + 2, "10:00"),
             "ends": at(first + 2, "12:30"), "venue": ICENTRUM, "host": INNOVATION_BIRMINGHAM},
            {"title": "Closing lunch at The Old Crown", "kind": ItemKind.MEAL,
             "starts": at(first + 2, "13:15"), "ends": at(first + 2, "14:45"),
             "venue": OLD_CROWN},
        ],
        "participants": [
            {"person": "Ines Dietrich", "role": ParticipantRole.LEAD, "rsvp": ACCEPTED,
             "answered": at(-10, "14:20")},
            answered("Johanna Brenner", ACCEPTED, 9, "08:45"),
            answered("Tobias Reinhardt", DECLINED, 8, "17:05",
                     notes="Filming abroad that week; asks to be invited next time."),
            answered("Mira Kowalczyk", ACCEPTED, 6, "11:30"),
            answered("Felix Hartung", DECLINED, 2, "09:40"),  # after the reminder
            answered("Lena Vogt", ACCEPTED, 7, "16:10"),
            answered("David Nguyen", INVITED, None),
            answered("Sabine Krüger", ACCEPTED, 1, "10:15"),  # after the reminder
            answered("Jonas Weidner", INVITED, None),
            # Her invitation bounced (messaging.demo): she has not heard of the mission.
            answered("Anke Schubert", INVITED, None),
            answered("Marek Lehmann", TENTATIVE, 4, "19:00"),
            {"person": "Anthony Tattum", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "answered": at(-9, "12:00"), "notes": "Chairs the round table."},
            {"person": "Fiona Latter", "role": ParticipantRole.ORGANISER, "rsvp": ACCEPTED,
             "answered": at(-10, "10:30"), "items": [SECOND_HOME_MEETINGS]},
            {"person": "Priya Sandhu", "role": ParticipantRole.PRESS, "rsvp": INVITED,
             "answered": None},
            # Not invited yet: the interpreter is booked once the numbers are known.
            {"person": "Katrin Vogel", "role": ParticipantRole.INTERPRETER,
             "rsvp": RsvpStatus.NOT_INVITED, "answered": None},
            # Birmingham hosts of the matchmaking (matchmaking/demo.py).
            {"person": "Dr David Hardman", "role": ParticipantRole.HOST, "rsvp": ACCEPTED,
             "answered": at(-9, "09:15")},
            {"person": "Cliff Dennett", "role": ParticipantRole.HOST, "rsvp": ACCEPTED,
             "answered": at(-9, "09:20")},
            {"person": "Grace Okafor", "role": ParticipantRole.HOST, "rsvp": ACCEPTED,
             "answered": at(-8, "13:40")},
            {"person": "Tom Ellis", "role": ParticipantRole.HOST, "rsvp": ACCEPTED,
             "answered": at(-7, "10:05")},
        ],
        "actions": [],
        "feedback": [],
    }  # fmt: skip


def _under_way(today: dt.date) -> dict:
    at = _clock(today)

    def accepted(person: str, role: str, days_ago: int, time: str, **more) -> dict:
        return {"person": person, "role": role, "rsvp": ACCEPTED,
                "answered": at(-days_ago, time), **more}  # fmt: skip

    return {
        "slug": UNDER_WAY,
        "title": "Birmingham life sciences and digital health delegation to Leipzig",
        "kind": MissionKind.OUTBOUND,
        "status": MissionStatus.UNDER_WAY,
        "city": "Leipzig", "country": "DE", "tz": BERLIN,
        "start": today - dt.timedelta(days=1), "end": today + dt.timedelta(days=1),
        "rsvp_deadline": today - dt.timedelta(days=21),
        "lead": BCC, "organisers": [BCC, LEIPZIG], "partners": [IRL, INNOVATION_BIRMINGHAM],
        "sectors": ["biotech-life-sciences", "digital-health"],
        "objectives": "Link Birmingham's life-science and digital-health companies with "
        "BioCity Leipzig, BIO-NET and SpinLab; agree a lab-exchange pilot and a start-up "
        "cohort visiting Birmingham.",
        "description": "Three days in Birmingham's partner city, hosted by the City of "
        "Leipzig and Invest Region Leipzig.",
        "invited": at(-40, "10:00"),
        "items": [
            {"title": "Travel Birmingham – Leipzig", "kind": ItemKind.TRAVEL,
             "starts": at(-1, "06:30"), "ends": at(-1, "12:00"),
             "meeting_point": "Birmingham Airport, check-in hall"},
            {"title": "Welcome at the Neues Rathaus", "kind": ItemKind.MEETING,
             "starts": at(-1, "14:00"), "ends": at(-1, "15:00"),
             "venue": NEUES_RATHAUS, "host": LEIPZIG},
            {"title": "BioCity Leipzig: labs and biotech start-ups",
             "kind": ItemKind.SITE_VISIT, "starts": at(-1, "16:00"),
             "ends": at(-1, "18:00"), "venue": BIO_CITY_VENUE, "host": BIO_CITY},
            {"title": "Dinner with Invest Region Leipzig", "kind": ItemKind.MEAL,
             "starts": at(-1, "19:30"), "ends": at(-1, "22:00"), "host": IRL,
             "meeting_point": "Auerbachs Keller, Mädlerpassage"},
            {"title": "Morning briefing", "kind": ItemKind.BRIEFING,
             "starts": at(0, "08:30"), "ends": at(0, "09:15"),
             "meeting_point": "Hotel lobby"},
            {"title": "SpinLab: digital-health start-ups pitch", "kind": ItemKind.SITE_VISIT,
             "starts": at(0, "10:00"), "ends": at(0, "12:00"),
             "venue": SPINLAB_VENUE, "host": SPINLAB},
            {"title": "Lunch at the Baumwollspinnerei", "kind": ItemKind.MEAL,
             "starts": at(0, "12:15"), "ends": at(0, "13:15"), "venue": SPINLAB_VENUE},
            {"title": "Round table: digital health in Birmingham and Leipzig",
             "kind": ItemKind.ROUND_TABLE, "starts": at(0, "14:30"),
             "ends": at(0, "16:30"), "venue": NEUES_RATHAUS, "host": IRL},
            {"title": "Gewandhausorchester concert", "kind": ItemKind.CULTURAL,
             "starts": at(0, "19:30"), "ends": at(0, "21:30"),
             "venue": GEWANDHAUS_VENUE, "host": GEWANDHAUS},
            {"title": "Health-data projects with BIO-NET Leipzig", "kind": ItemKind.MEETING,
             "starts": at(1, "09:30"), "ends": at(1, "11:00"),
             "venue": BIO_CITY_VENUE, "host": BIO_NET},
            {"title": "Travel Leipzig – Birmingham", "kind": ItemKind.TRAVEL,
             "starts": at(1, "13:30"), "ends": at(1, "19:00")},
        ],
        "participants": [
            accepted("Lloyd Broad", ParticipantRole.LEAD, 40, "11:00"),
            accepted("Dr David Hardman", ParticipantRole.DELEGATE, 38, "09:15"),
            accepted("Cliff Dennett", ParticipantRole.DELEGATE, 37, "14:40"),
            accepted("Priya Sandhu", ParticipantRole.PRESS, 33, "10:05"),
            accepted("Uwe Albrecht", ParticipantRole.HOST, 39, "08:30"),
            accepted("Michael Körner", ParticipantRole.HOST, 36, "16:20"),
            accepted("Dr Randy Kurz", ParticipantRole.SPEAKER, 35, "12:00"),
            accepted("Shawn Segundo", ParticipantRole.SPEAKER, 34, "18:45"),
            accepted("Katrin Vogel", ParticipantRole.INTERPRETER, 38, "07:50"),
        ],
        # Agreed yesterday, owned by ACTION_OWNER: two overdue, one due today.
        "actions": [
            {"organisation": IRL, "contact": "Michael Körner",
             "agreed": "Send Invest Region Leipzig the list of Birmingham life-science "
             "companies looking for a base in Germany.",
             "due": today - dt.timedelta(days=1), "status": ActionStatus.OPEN},
            {"organisation": LEIPZIG, "contact": None,
             "agreed": "Share the photos of the BioCity visit with the City of Leipzig's "
             "press office.",
             "due": today - dt.timedelta(days=1), "status": ActionStatus.IN_PROGRESS},
            {"organisation": BIO_NET, "contact": "Dr Randy Kurz",
             "agreed": "Introduce BIO-NET Leipzig to the University of Birmingham's BioHub "
             "for a lab-exchange pilot.",
             "due": today, "status": ActionStatus.OPEN},
            {"organisation": SPINLAB, "contact": "Shawn Segundo",
             "agreed": "Propose dates for a SpinLab start-up cohort at Innovation "
             "Birmingham's campus.",
             "due": today + dt.timedelta(days=5), "status": ActionStatus.OPEN},
            {"organisation": LEIPZIG, "contact": "Uwe Albrecht",
             "agreed": "Agree a date for the Mayor for Economic Affairs' return visit to "
             "Birmingham.",
             "due": today - dt.timedelta(days=1), "status": ActionStatus.AGREED},
        ],
        # The first feedback, from two who leave before the last day, rating yesterday's
        # items.
        "feedback": [
            {"person": "Dr David Hardman", "rating": 5,
             "comment": "BioCity alone was worth the trip: three concrete leads for the "
             "BioHub.",
             "items": {"Welcome at the Neues Rathaus": 4,
                       "BioCity Leipzig: labs and biotech start-ups": 5,
                       "Dinner with Invest Region Leipzig": 4}},
            {"person": "Priya Sandhu", "rating": 4,
             "comment": "A packed programme; a longer lunch would leave time for photos.",
             "items": {"BioCity Leipzig: labs and biotech start-ups": 4,
                       "Dinner with Invest Region Leipzig": 3}},
        ],
    }  # fmt: skip
