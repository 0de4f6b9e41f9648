"""Which language to speak to a participant in: one rule for every mail, page, booklet,
calendar and feed.

Their choice on their personal page, else their profile's preferred language, else the
site's default (`settings.LANGUAGE_CODE`, English); spoken as the nearest language the
site ships (`de-AT` is German; a language it does not ship is English).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from missions.display import language_name
from missions.models import Participant


def site_language(code: str | None) -> str:
    """The site's language closest to `code`; the default (English) when none fits."""
    try:
        return translation.get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _asked(chosen: str, preferred: str) -> str:
    return chosen or preferred or settings.LANGUAGE_CODE


def language_for(participant: Participant) -> str:
    """The language to speak to the participant in, one the site speaks.

    Expects the participant's person loaded (one query otherwise).
    """
    return site_language(language_asked(participant))


def language_asked(participant: Participant) -> str:
    """The language the participant asked for, before it is matched to the site's: what an
    outbox row records (its renderer speaks `site_language` of it), so a message to
    someone who asked for French says so, written in English."""
    return _asked(participant.language, participant.person.preferred_language)


def language_for_values(*, chosen: str, preferred: str) -> str:
    """`language_for` from the participant's choice and their person's preferred language,
    for a read that loads no participant (the delegate's link, in one plain query)."""
    return site_language(_asked(chosen, preferred))


def language_described(participant: Participant) -> str:
    """A participant's language as a planner reads it: the one Itinera writes to them in,
    by name (`German`), and what they asked for when the site does not speak it
    (`English (asked for French)`). Expects the participant's person loaded."""
    asked, written = language_asked(participant), language_for(participant)
    if asked.split("-")[0].lower() == written:
        return language_name(written)
    return gettext("%(language)s (asked for %(asked)s)") % {
        "language": language_name(written),
        "asked": language_name(asked),
    }
