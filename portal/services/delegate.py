"""What the delegate's own page (`/d/<token>/`) remembers on the participant.

Both writes are a plain UPDATE of one column: a visit or a choice of language is not a
change to the participant that staff need in the history (django-simple-history) or
in `updated_at`, which the planning workspace shows as the last change.
"""

import datetime as dt

from django.conf import settings

from missions.models import Participant


def delegate_page_seen(*, participant_id: int, at: dt.datetime) -> None:
    """Remember that the participant saw their page at `at`; later changes get marked."""
    Participant.objects.filter(pk=participant_id).update(page_seen_at=at)


def delegate_language_set(*, participant: Participant, language: str) -> bool:
    """Remember the page's language for the participant; False if it was already theirs."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the site: {language!r}")
    changed = (
        Participant.objects.filter(pk=participant.pk)
        .exclude(language=language)
        .update(language=language)
    )
    participant.language = language
    return bool(changed)
