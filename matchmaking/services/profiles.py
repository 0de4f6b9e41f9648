"""A mission's matchmaking settings, and the participants' profiles."""

from collections.abc import Iterable

from django.db import transaction

from matchmaking.models import MatchmakingSettings, Profile
from matchmaking.selectors import settings_for
from missions.models import Mission, Participant
from organisations.models import Sector


def settings_save(
    *,
    mission: Mission,
    requests_need_acceptance: bool,
    slot_picking: str,
    max_meetings_per_person: int,
) -> MatchmakingSettings:
    """Choose how the mission's matchmaking runs; `ValidationError` on a bad value."""
    chosen = settings_for(mission)
    chosen.requests_need_acceptance = requests_need_acceptance
    chosen.slot_picking = slot_picking
    chosen.max_meetings_per_person = max_meetings_per_person
    chosen.full_clean()
    chosen.save()
    return chosen


@transaction.atomic
def profile_save(
    *,
    participant: Participant,
    offer: str = "",
    seek: str = "",
    pitch: str = "",
    languages: Iterable[str] = (),
    sectors: Iterable[Sector] = (),
    opted_in: bool = False,
) -> Profile:
    """Write the participant's profile (made on first save), whoever fills it in: the
    participant on their page, or staff. Only a profile opted in is shown to others.
    Language codes are kept lower-case, once each, in the order given."""
    profile = Profile.objects.filter(participant=participant).first() or Profile(
        participant=participant
    )
    profile.offer = offer.strip()
    profile.seek = seek.strip()
    profile.pitch = pitch.strip()
    profile.languages = list(dict.fromkeys(code.strip().lower() for code in languages if code))
    profile.opted_in = opted_in
    profile.full_clean()
    profile.save()
    profile.sectors.set(sectors)
    return profile
