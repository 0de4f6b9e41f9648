"""Every booklet of a mission, prepared by a real worker: from the click to "ready".

The planner's POST commits the archive and hands it to a real Celery worker over a real
Redis (see conftest.py); the worker lays out the booklets and counts them in the shared
test database. The worker and this test share a folder as the file storage
(TEST_MEDIA_ROOT), so the planner downloads the ZIP the worker wrote.
"""

import io
import zipfile

import pytest
from django.urls import reverse

from missions.enums import RsvpStatus
from portal.enums import ArchiveState
from portal.models import BookletArchive
from tests.e2e.conftest import wait_until
from tests.factories import MembershipFactory, MissionFactory, ParticipantFactory

pytestmark = [
    # pytest's SQLite test database lives in its own memory: no other process can open it.
    pytest.mark.postgresql(reason="a real Celery worker process shares the test database"),
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(start_worker, tmp_path, settings):
    """A worker whose files land in a folder this test reads too."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return start_worker(env={"TEST_MEDIA_ROOT": str(media)})


def test_worker_prepares_the_booklets_and_the_page_follows_it(client, worker):
    mission = MissionFactory(slug="leipzig-birmingham-booklets")
    ParticipantFactory.create_batch(6, mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.DECLINED)
    client.force_login(MembershipFactory(organisation=mission.lead_organisation).user)
    page = reverse("plan:booklets", kwargs={"pk": mission.pk})

    response = client.post(page)  # committed with the request, then handed over

    assert response.status_code == 302
    archive = BookletArchive.objects.get(mission=mission)
    assert archive.total == 6
    wait_until(
        lambda: BookletArchive.objects.filter(pk=archive.pk, state=ArchiveState.READY).exists(),
        timeout=60,
        what=lambda: f"the archive to be ready:\n{worker.log()}",
    )
    archive.refresh_from_db()
    assert (archive.done, archive.total, archive.error) == (6, 6, "")
    assert archive.file.name.startswith("booklets/leipzig-birmingham-booklets-booklets")
    html = client.get(page).content.decode()
    assert "6 booklets, prepared on" in html
    assert "hx-trigger" not in html  # the poll has stopped
    download = client.get(
        reverse("plan:booklets-download", kwargs={"pk": mission.pk, "archive_pk": archive.pk})
    )
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive_file:
        names = archive_file.namelist()
        assert len(names) == 6
        assert all(archive_file.read(name).startswith(b"%PDF") for name in names)
    # Asked again once ready: a new archive, built from scratch.
    client.post(page)
    assert BookletArchive.objects.filter(mission=mission).count() == 2
    wait_until(
        lambda: (
            list(BookletArchive.objects.filter(mission=mission).values_list("state", flat=True))
            == [ArchiveState.READY]
        ),
        timeout=60,
        what=lambda: f"the earlier archive to be replaced:\n{worker.log()}",
    )
