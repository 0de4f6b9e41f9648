"""Matchmaking's writes that tell people: publishing the schedule, moving a published
meeting. The rules are matchmaking's (`matchmaking.services.meetings`); the mail is the
outbox's (`messaging.reminders`); this room joins the two, as `services/itinerary.py`
does for the itinerary."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matchmaking.enums import MeetingState
from matchmaking.models import Meeting, MeetingBlock, Profile, Table
from matchmaking.selectors import active_run
from matchmaking.services.meetings import meeting_move, schedule_publish
from matchmaking.services.profiles import profile_save
from messaging import reminders
from missions.display import language_codes
from missions.imports import MAX_ROWS, header_key
from missions.models import Mission, Participant
from organisations.models import Sector


@transaction.atomic
def schedule_publish_and_notify(*, mission: Mission) -> int:
    """Make the mission's preliminary meetings final, and send each person who has one of
    them their schedule (one mail each, in their language); how many meetings were
    published. Refused while a run is on its way: it may still move the meetings that the
    mail would announce as final."""
    if active_run(mission) is not None:
        raise ValidationError(
            _("Meetings are being scheduled: publish once the run has finished."),
            code="run_on_its_way",
        )
    published = Meeting.objects.filter(request__mission=mission, state=MeetingState.PRELIMINARY)
    people = set()
    for requester, recipient in published.values_list("request__requester", "request__recipient"):
        people |= {requester, recipient}
    count = schedule_publish(mission=mission)
    if count:
        reminders.meetings_published_queue(mission=mission, participant_ids=people)
    return count


@transaction.atomic
def meeting_move_and_notify(
    *, meeting: Meeting, block: MeetingBlock, starts_at: dt.datetime, table: Table | None
) -> Meeting:
    """Move a meeting (checked like the scheduler's placements, `meeting_move`); when it
    was published and now is elsewhere, both people get the "itinerary changed" notice."""
    before = reminders.meeting_when(meeting) if meeting.state == MeetingState.FINAL else None
    moved = meeting_move(meeting=meeting, block=block, starts_at=starts_at, table=table)
    if before is not None:
        moved = Meeting.objects.select_related("table", "block__item", "request__mission").get(
            pk=moved.pk
        )
        if reminders.meeting_when(moved) != before:
            reminders.meeting_notices_queue(meeting=moved, before=before)
    return moved


# PROFILES FROM A FILE ----------------------------------------------------------------

PROFILE_COLUMNS = ("email", "offer", "seek", "pitch", "languages", "sectors", "shown")
# Header names as users write them, in the form `missions.imports.header_key` gives them.
PROFILE_HEADERS = {
    "email": "email",
    "emailaddress": "email",
    "emailadresse": "email",
    "mail": "email",
    "offer": "offer",
    "weoffer": "offer",
    "angebot": "offer",
    "wirbieten": "offer",
    "seek": "seek",
    "weseek": "seek",
    "gesucht": "seek",
    "wirsuchen": "seek",
    "pitch": "pitch",
    "kurzvorstellung": "pitch",
    "languages": "languages",
    "sprachen": "languages",
    "sectors": "sectors",
    "branchen": "sectors",
    "shown": "shown",
    "showntoothers": "shown",
    "optedin": "shown",
    "sichtbar": "shown",
}
YES = {"", "yes", "y", "true", "1", "x", "ja", "j", "wahr"}
NO = {"no", "n", "false", "0", "nein", "falsch"}
LIMITS = {name: Profile._meta.get_field(name).max_length for name in ("offer", "seek", "pitch")}


@dataclass
class ProfileImport:
    """What an import did: the profiles written, or every row's problems (then none)."""

    imported: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def profiles_import(*, mission: Mission, records: Iterable[list[str]]) -> ProfileImport:
    """Write the profiles of a file's rows (one a participant of the mission, found by
    e-mail address, regardless of case), all or nothing: any row with a problem and no
    profile is written, and every problem is listed with its row's number. A profile is
    shown to others unless its "shown" column says no. Sectors by name or slug, separated
    by commas or semicolons; languages too, by name or code (`language_codes`)."""
    numbered = enumerate(records, start=1)
    header = next((record for _, record in numbered if any(c.strip() for c in record)), None)
    if header is None:
        return ProfileImport(errors=[_("The file has no data: every cell is empty.")])
    positions = {}
    for position, name in enumerate(header):
        column = PROFILE_HEADERS.get(header_key(name))
        if column is not None and column not in positions:
            positions[column] = position
    if "email" not in positions:
        return ProfileImport(errors=[_("The first row must name the columns, with E-mail.")])
    participants = {
        participant.person.email.casefold(): participant
        for participant in mission.participants.select_related("person")
    }
    sectors = {}
    for sector in Sector.objects.all():
        sectors[sector.slug.casefold()] = sector
        sectors[sector.name.casefold()] = sector
    result, seen, rows = ProfileImport(), set(), []
    for number, record in numbered:
        if not any(cell.strip() for cell in record):
            continue
        if number > MAX_ROWS:
            result.errors.append(_("The file has more than %(limit)d rows.") % {"limit": MAX_ROWS})
            break
        values = {
            column: record[position].strip() if position < len(record) else ""
            for column, position in positions.items()
        }
        problems, row = _profile_row(values, participants=participants, sectors=sectors)
        email = values["email"].casefold()
        if email and email in seen:
            problems.append(_("this e-mail address is on an earlier row too"))
        seen.add(email)
        for problem in problems:
            result.errors.append(
                _("Row %(number)d: %(problem)s") % {"number": number, "problem": problem}
            )
        rows.append((number, row))
    if not rows and not result.errors:
        result.errors.append(_("The file has a header row but no profiles."))
    if result.errors:
        return result
    for number, row in rows:
        try:
            profile_save(**row)
        except ValidationError as error:  # the profile's own rules (`Profile.clean`)
            for problem in error.messages:
                result.errors.append(
                    _("Row %(number)d: %(problem)s") % {"number": number, "problem": problem}
                )
    if result.errors:
        transaction.set_rollback(True)  # all or nothing
        return result
    result.imported = len(rows)
    return result


def _profile_row(
    values: dict[str, str], *, participants: dict[str, Participant], sectors: dict[str, Sector]
) -> tuple[list[str], dict]:
    """A row's problems, and the arguments of its `profile_save`."""
    problems = []
    participant = participants.get(values["email"].casefold())
    if not values["email"]:
        problems.append(_("the e-mail address is missing"))
    elif participant is None:
        problems.append(
            _("no participant of this mission has the e-mail address %(email)s")
            % {"email": values["email"]}
        )
    for column, limit in LIMITS.items():
        if len(values.get(column, "")) > limit:
            problems.append(
                _("%(column)s is longer than %(limit)d characters")
                % {"column": column, "limit": limit}
            )
    try:
        languages = language_codes(values.get("languages", ""))
    except ValueError as error:
        languages = []
        problems.append(
            _("no such language: %(names)s (write English, German, … or en, de, …)")
            % {"names": ", ".join(error.args[0])}
        )
    names = [name.strip() for name in re.split(r"[,;]", values.get("sectors", "")) if name.strip()]
    unknown = [name for name in names if name.casefold() not in sectors]
    if unknown:
        problems.append(_("no such sector: %(names)s") % {"names": ", ".join(unknown)})
    shown = values.get("shown", "").casefold()
    if shown not in YES | NO:
        problems.append(_("“shown” must be yes or no"))
    return problems, {
        "participant": participant,
        "offer": values.get("offer", ""),
        "seek": values.get("seek", ""),
        "pitch": values.get("pitch", ""),
        "languages": languages,
        "sectors": list({sectors[n.casefold()] for n in names if n.casefold() in sectors}),
        "opted_in": shown in YES,
    }
