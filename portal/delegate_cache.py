"""The delegate's page kept rendered and gzipped, until anything on it changes.

A delegate on the road reloads their page to see where to go next; rendering 60 items
and 300 names each time costs ~15 ms. So the page as last rendered is kept per
participant (`DelegatePage`) with the key it was rendered for, made of everything it
depends on:

- the participant, their link (a regenerated link starts afresh), the language, the
  address the page is served at (scheme and host: nothing rendered for one address is
  served at another) and the code and translations serving it (`release`, so a deploy
  never serves a page rendered by the previous one);
- the link's version (`portal.selectors.delegate_link`): the previous visit
  (from which changes are marked) and the counts and last changes of everything the
  page shows (items, venues, hosts, participants, people, organisations).

The query that checks the link reads the version and the kept page together, so a page
that is still current costs one query. A kept page also ends by itself when the page
would read differently without any change to the data (`DelegateItinerary.fresh_until`:
the next item starts or ends, the mission begins or is over), and at the latest after
`MAX_AGE`.

What is kept is the gzipped page (Django's `compress_string`, with its random padding
against BREACH) and whether it marked changes since the previous visit: only then must
the visit be remembered (see `portal.views.delegate.page`). What is kept holds no
working link: the page is rendered without the token and links the pages under the link
relatively to its own address, so a copy of the database opens no page and the kept
bytes are served as they are.
"""

import datetime as dt
import gzip
import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.templatetags.static import static
from django.utils import timezone
from django.utils.text import compress_string
from django.utils.translation import get_language

from portal.models import DelegatePage
from portal.selectors import DelegateLink, StoredPage

MAX_AGE = dt.timedelta(hours=1)  # a bound on anything the version might not see


@cache
def release() -> str:
    """What identifies the code and translations rendering the page, once per process."""
    root = Path(settings.BASE_DIR)
    sources = sorted(
        [
            *(root / "templates").rglob("*.html"),  # the page's and what it includes
            root / "portal" / "selectors.py",
            root / "portal" / "templatetags" / "delegate_page.py",
            *(root / "locale").glob("*/LC_MESSAGES/django.mo"),
        ]
    )
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    for asset in ("css/delegate.css", "css/itinera.css", "css/print.css"):
        digest.update(static(asset).encode())  # hashed names under the manifest storage
    return digest.hexdigest()[:16]


def page_key(link: DelegateLink, *, scheme: str, host: str) -> str:
    """The key of the page behind `link` as it is now."""
    parts = (release(), link.participant_id, link.token_hash, get_language(), scheme, host)
    return hashlib.sha256(repr((parts, link.version)).encode()).hexdigest()


def page_kept(link: DelegateLink, key: str) -> StoredPage | None:
    """The page as last rendered, if it is still the page for `key` at this moment."""
    page = link.page
    if page is None or page.key != key or page.fresh_until <= timezone.now():
        return None
    return page


def page_keep(
    *, participant_id: int, key: str, html: str, marks_changes: bool, fresh_until: dt.datetime
) -> StoredPage:
    """Keep the rendered page for the participant, in place of the one before."""
    page = DelegatePage(
        participant_id=participant_id,
        key=key,
        gzipped=compress_string(html.encode(), max_random_bytes=GZipMiddleware.max_random_bytes),
        marks_changes=marks_changes,
        fresh_until=min(fresh_until, timezone.now() + MAX_AGE),
    )
    DelegatePage.objects.bulk_create(
        [page],
        update_conflicts=True,
        unique_fields=["participant"],
        update_fields=["key", "gzipped", "marks_changes", "fresh_until"],
    )
    return StoredPage(
        key=key, gzipped=page.gzipped, marks_changes=marks_changes, fresh_until=page.fresh_until
    )


def html(page: StoredPage) -> bytes:
    """The page unzipped, for a client that does not take gzip."""
    return gzip.decompress(page.gzipped)
