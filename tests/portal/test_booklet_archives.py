"""Every delegate's booklet of a mission as one ZIP, prepared by a worker, with progress.

The task runs synchronously here (`build_booklet_archive.apply`), and the on-commit
hand-over is captured without running it, so nothing is published to the shared Redis.
The PDFs in the ZIP are read back with pypdf.
"""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connections
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from missions import tokens
from missions.display import format_local
from missions.enums import RsvpStatus
from organisations.enums import Language, MembershipRole
from portal import booklet, booklet_archives
from portal.booklet_archives import archive_build
from portal.enums import ArchiveState
from portal.models import BookletArchive
from portal.services.booklets import archive_request
from portal.tasks import build_booklet_archive, expire_booklet_archives
from tests.factories import MembershipFactory, MissionFactory, OrganisationFactory
from tests.portal.test_booklet import LONDON, _delegate, _language, _text, leipzig_mission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_storage(settings):
    """A fresh in-memory storage per test, so files are counted for this test alone."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def mission():
    return leipzig_mission()


@pytest.fixture
def delegate(mission):
    return _delegate(mission, "Jürgen Weiß")


def _page(mission) -> str:
    return reverse("plan:booklets", kwargs={"pk": mission.pk})


def _status(mission) -> str:
    return reverse("plan:booklets-status", kwargs={"pk": mission.pk})


def _download(archive) -> str:
    return reverse(
        "plan:booklets-download", kwargs={"pk": archive.mission_id, "archive_pk": archive.pk}
    )


def _request(client, mission, capture) -> BookletArchive:
    """Press "Prepare" as staff do; the task is captured, not sent."""
    with capture(execute=False) as callbacks:
        response = client.post(_page(mission))
    assert response.status_code == 302
    assert response["Location"] == _page(mission)
    assert len(callbacks) <= 1
    return BookletArchive.objects.filter(mission=mission).latest("created_at")


def _build(archive: BookletArchive) -> BookletArchive:
    build_booklet_archive.apply(kwargs={"archive_id": archive.pk})
    archive.refresh_from_db()
    return archive


EMPTY_ZIP = b"PK\x05\x06" + bytes(18)


def _files() -> list[str]:
    return default_storage.listdir("booklets")[1] if default_storage.exists("booklets") else []


def _unsealed(archive: BookletArchive) -> zipfile.ZipFile:
    """The archive's ZIP as staff download it."""
    return zipfile.ZipFile(io.BytesIO(booklet_archives.archive_content(archive)))


def _zip(response) -> zipfile.ZipFile:
    content = b"".join(response.streaming_content)
    response.close()
    return zipfile.ZipFile(io.BytesIO(content))


def _ready_archive(mission, **kwargs) -> BookletArchive:
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.READY, total=1, done=1, **kwargs
    )
    booklet_archives.archive_file_save(archive=archive, content=EMPTY_ZIP, name="old.zip")
    archive.save()
    return archive


# REQUEST -----------------------------------------------------------------------------------


def test_archive_request_queues_one_archive_and_hands_it_over_after_commit(
    mission, delegate, planner, django_capture_on_commit_callbacks
):
    _delegate(mission, "Declined Person", rsvp_status=RsvpStatus.DECLINED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        archive = archive_request(mission=mission, requested_by=planner)

    assert (archive.state, archive.total, archive.done) == (ArchiveState.QUEUED, 2, 0)
    assert archive.requested_by == planner
    assert len(callbacks) == 1


def test_archive_request_while_one_is_building_returns_it(
    client, mission, delegate, planner, django_capture_on_commit_callbacks
):
    first = _request(client, mission, django_capture_on_commit_callbacks)
    BookletArchive.objects.filter(pk=first.pk).update(state=ArchiveState.BUILDING, done=1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = archive_request(mission=mission, requested_by=planner)
        client.post(_page(mission))

    assert second.pk == first.pk
    assert BookletArchive.objects.filter(mission=mission).count() == 1
    assert callbacks == []  # nothing handed over twice


def test_archive_request_of_a_stuck_archive_hands_it_over_again(
    mission, delegate, planner, django_capture_on_commit_callbacks
):
    stuck = BookletArchive.objects.create(mission=mission, total=2)
    BookletArchive.objects.filter(pk=stuck.pk).update(
        created_at=stuck.created_at - booklet_archives.STUCK_AFTER * 2
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = archive_request(mission=mission, requested_by=planner)

    assert again.pk == stuck.pk
    assert len(callbacks) == 1


def test_archive_request_without_anyone_to_print_for_queues_nothing(
    client, mission, planner, django_capture_on_commit_callbacks
):
    mission.participants.update(rsvp_status=RsvpStatus.NOT_INVITED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_page(mission), follow=True)

    assert BookletArchive.objects.count() == 0
    assert callbacks == []
    assert [str(m) for m in response.context["messages"]] == [
        "Nobody is invited, accepted or tentative yet: there are no booklets to prepare."
    ]


def test_archive_request_needs_the_csrf_token(mission, delegate, planner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner)

    response = client.post(_page(mission))

    assert response.status_code == 403
    assert BookletArchive.objects.count() == 0


# BUILD -------------------------------------------------------------------------------------


def test_archive_holds_one_pdf_per_invited_accepted_or_tentative_participant(
    client, mission, delegate, planner, django_capture_on_commit_callbacks
):
    _delegate(mission, "Katrin Vogel", language=Language.GERMAN, rsvp_status=RsvpStatus.TENTATIVE)
    _delegate(mission, "Jürgen Weiß", rsvp_status=RsvpStatus.INVITED)  # a namesake
    _delegate(mission, "Declined Person", rsvp_status=RsvpStatus.DECLINED)
    _delegate(mission, "Not Invited Yet", rsvp_status=RsvpStatus.NOT_INVITED)
    _delegate(mission, "Withdrawn Person", rsvp_status=RsvpStatus.WITHDRAWN)

    archive = _build(_request(client, mission, django_capture_on_commit_callbacks))
    response = client.get(_download(archive))

    assert (archive.state, archive.done, archive.total) == (ArchiveState.READY, 4, 4)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="leipzig-creative-birmingham-booklets.zip"'
    )
    files = _zip(response)
    assert files.namelist() == [
        "fiona-latter.pdf",
        "jurgen-wei.pdf",
        "jurgen-wei-2.pdf",
        "katrin-vogel.pdf",
    ]
    pdfs = {name: files.read(name) for name in files.namelist()}
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())
    assert "Katrin Vogel" in _text(pdfs["katrin-vogel.pdf"])
    assert _language(pdfs["katrin-vogel.pdf"]) == "de"
    assert _language(pdfs["jurgen-wei.pdf"]) == "en"
    assert "Jürgen Weiß" in _text(pdfs["jurgen-wei-2.pdf"])


def test_archive_issues_no_personal_link(mission, delegate, planner):
    archive = BookletArchive.objects.create(mission=mission, total=2)

    _build(archive)

    delegate.refresh_from_db()
    assert delegate.token_nonce == ""


def test_archive_build_counts_each_booklet_as_it_goes(monkeypatch, mission, delegate, planner):
    for name in ("Anna Berg", "Carl Dorn"):
        _delegate(mission, name)
    archive = BookletArchive.objects.create(mission=mission, total=4)
    seen = []  # (state, done) as the polling page reads them, before each booklet
    lay_out = booklet.booklet_pdf

    def watched(content):
        seen.append(BookletArchive.objects.values_list("state", "done").get(pk=archive.pk))
        return lay_out(content)

    monkeypatch.setattr(booklet, "booklet_pdf", watched)

    archive = _build(archive)

    assert seen == [(ArchiveState.BUILDING, done) for done in range(4)]
    assert (archive.state, archive.done, archive.total) == (ArchiveState.READY, 4, 4)
    assert archive.finished_at is not None


def test_archive_build_reads_the_mission_once_whatever_the_number_of_delegates(
    mission, django_assert_max_num_queries
):
    for n in range(12):
        _delegate(mission, f"Delegate {n}", language=[Language.ENGLISH, Language.GERMAN][n % 2])
    archive = BookletArchive.objects.create(mission=mission, total=13)

    # A fixed number (the B2B meetings of all the delegates are one of them), and one
    # UPDATE of the progress per booklet.
    with django_assert_max_num_queries(13 + 13) as captured:
        archive = _build(archive)

    reads = [query for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    # The lock, the archive, the delegates, the mission's sources (its B2B meetings too)...
    assert len(reads) <= 11
    assert len(_unsealed(archive).namelist()) == 13


def test_archive_build_runs_twice_one_file(mission, delegate):
    archive = BookletArchive.objects.create(mission=mission, total=2)

    first = _build(archive)
    second = _build(archive)

    assert second.state == ArchiveState.READY
    assert (second.file.name, second.finished_at) == (first.file.name, first.finished_at)
    assert _files() == ["leipzig-creative-birmingham-booklets.zip.sealed"]


def test_archive_build_after_its_worker_died_starts_over(mission, delegate):
    archive = BookletArchive.objects.create(mission=mission, total=2)
    # The first worker was killed after one booklet: the task is delivered again.
    BookletArchive.objects.filter(pk=archive.pk).update(state=ArchiveState.BUILDING, done=1)

    archive = _build(archive)

    assert (archive.state, archive.done) == (ArchiveState.READY, 2)
    assert len(_unsealed(archive).namelist()) == 2
    assert _files() == ["leipzig-creative-birmingham-booklets.zip.sealed"]


@pytest.mark.postgresql(reason="another session's advisory lock (SQLite has no locks to hold)")
def test_archive_build_while_another_worker_builds_it_leaves_it_alone(mission, delegate):
    archive = BookletArchive.objects.create(mission=mission, total=2)
    BookletArchive.objects.filter(pk=archive.pk).update(state=ArchiveState.BUILDING, done=1)
    other = connections.create_connection("default")  # the other worker's session
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [booklet_archives.LOCK_NAMESPACE, archive.pk]
            )

        archive = _build(archive)
    finally:
        other.close()

    assert (archive.state, archive.done) == (ArchiveState.BUILDING, 1)
    assert _files() == []


def test_archive_build_failure_is_shown_to_staff_with_the_reason(
    monkeypatch, caplog, client, mission, delegate, planner
):
    _delegate(mission, "Katrin Vogel", language=Language.GERMAN)
    archive = BookletArchive.objects.create(mission=mission, total=3)
    lay_out = booklet.booklet_pdf

    def broken(content):
        if content.delegate == "Katrin Vogel":
            raise ValueError("not enough horizontal space to render a single character")
        return lay_out(content)

    monkeypatch.setattr(booklet, "booklet_pdf", broken)

    archive = _build(archive)
    page = client.get(_page(mission)).content.decode()

    assert archive.state == ArchiveState.FAILED
    assert archive.error == (
        "Katrin Vogel: ValueError: not enough horizontal space to render a single character"
    )
    assert archive.finished_at is not None
    assert _files() == []
    assert "Traceback" in caplog.text
    assert "The booklets could not be prepared." in page
    assert f"Reason: {archive.error}" in page
    assert ">Try again</button>" in page
    assert "hx-trigger" not in page


def test_archive_build_of_a_deleted_archive_does_nothing(mission, delegate):
    archive = BookletArchive.objects.create(mission=mission, total=2)
    archive.delete()

    archive_build(archive_id=archive.pk)

    assert _files() == []


def test_archive_ready_deletes_the_missions_earlier_archives_and_files(mission, delegate):
    old = _ready_archive(mission)
    failed = BookletArchive.objects.create(mission=mission, state=ArchiveState.FAILED)
    elsewhere = _ready_archive(MissionFactory())
    archive = BookletArchive.objects.create(mission=mission, total=2)

    _build(archive)

    assert list(BookletArchive.objects.filter(mission=mission)) == [archive]
    assert not default_storage.exists(old.file.name)
    assert not BookletArchive.objects.filter(pk=failed.pk).exists()
    assert default_storage.exists(elsewhere.file.name)


# THE PAGE ----------------------------------------------------------------------------------


def test_booklets_page_without_archive_offers_to_prepare_them(client, mission, delegate, planner):
    _delegate(mission, "Katrin Vogel")

    page = client.get(_page(mission)).content.decode()

    assert "No booklets prepared yet." in page
    assert ">Prepare booklets for 3 delegates</button>" in page
    assert "disabled" not in page


def test_booklets_page_without_anyone_disables_the_button_with_the_reason(client, mission, planner):
    mission.participants.update(rsvp_status=RsvpStatus.DECLINED)

    page = client.get(_page(mission)).content.decode()

    assert (
        'disabled aria-describedby="booklets-none">Prepare booklets for 0 delegates</button>'
    ) in page
    assert (
        '<span class="small text-body-secondary" id="booklets-none">Nobody is invited, '
        "accepted or tentative yet: there are no booklets to prepare.</span>"
    ) in page


def test_booklets_page_while_building_shows_progress_and_polls(client, mission, delegate, planner):
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.BUILDING, total=50, done=12
    )

    page = client.get(_page(mission)).content.decode()
    poll = client.get(_status(mission)).content.decode()

    for html in (page, poll):
        assert 'id="booklet-progress">Preparing booklets: 12 of 50</p>' in html
        assert (
            'role="progressbar" aria-labelledby="booklet-progress" aria-valuenow="12" '
            'aria-valuemin="0" aria-valuemax="50" aria-valuetext="12 of 50"'
        ) in html
        assert '<rect width="24%"' in html
        assert f'hx-get="{_status(mission)}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert "<html" not in poll  # the card alone
    assert archive.state == ArchiveState.BUILDING


def test_booklets_poll_stops_once_the_archive_is_ready(
    client, mission, delegate, planner, django_capture_on_commit_callbacks
):
    archive = _request(client, mission, django_capture_on_commit_callbacks)
    assert "hx-trigger" in client.get(_status(mission)).content.decode()

    archive = _build(archive)
    poll = client.get(_status(mission)).content.decode()

    assert "hx-trigger" not in poll
    assert f'href="{_download(archive)}"' in poll


def test_booklets_page_when_ready_offers_the_download_and_to_prepare_again(
    client, mission, delegate, planner
):
    archive = _build(BookletArchive.objects.create(mission=mission, total=2))

    page = client.get(_page(mission)).content.decode()

    when = format_local(archive.finished_at, LONDON)
    assert when.endswith(" (Europe/London)")
    assert f"2 booklets, prepared on {when}." in page
    size = archive.file.size
    assert size > 10_000
    download = f'href="{_download(archive)}" download>Download the booklets'
    assert download in page
    assert f"(ZIP, {filesizeformat(size)})" in page
    assert ">Prepare again</button>" in page


def test_booklets_page_while_preparing_again_still_offers_the_earlier_file(
    client, mission, delegate, planner
):
    earlier = _build(BookletArchive.objects.create(mission=mission, total=2))
    BookletArchive.objects.create(mission=mission, total=2)

    page = client.get(_page(mission)).content.decode()

    assert "Preparing booklets: 0 of 2" in page
    assert "Waiting for a worker to start." in page
    assert f'href="{_download(earlier)}" download>Download them' in page


def test_booklets_page_in_german(client, mission, delegate, planner):
    BookletArchive.objects.create(mission=mission, state=ArchiveState.BUILDING, total=50, done=12)

    page = client.get(_page(mission), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Programmhefte werden erstellt: 12 von 50" in page


def test_booklets_page_stays_within_10_queries(
    client, mission, delegate, planner, django_assert_max_num_queries
):
    for n in range(20):
        _delegate(mission, f"Delegate {n}")
    _build(BookletArchive.objects.create(mission=mission, total=21))
    BookletArchive.objects.create(mission=mission, state=ArchiveState.FAILED, error="Boom")

    with django_assert_max_num_queries(10):
        page = client.get(_page(mission))
    with django_assert_max_num_queries(8):
        poll = client.get(_status(mission))

    assert "Reason: Boom" in page.content.decode()
    assert "Download them" in poll.content.decode()


def test_participant_list_links_the_booklets_page(client, mission, planner):
    response = client.get(reverse("plan:participant-list", kwargs={"pk": mission.pk}))

    assert f'href="{_page(mission)}">Delegate booklets (PDF, ZIP)</a>' in response.content.decode()


# WHO MAY -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner", "viewer"])
def test_read_only_users_get_404_on_every_booklet_url_and_prepare_nothing(
    client, mission, delegate, role
):
    """Each booklet carries its delegate's working personal link: a partner's planner or
    a viewer of the organising council may read the mission, but not its booklets."""
    archive = _ready_archive(mission)
    if role == "partner":
        partner = OrganisationFactory(name="Invest Region Leipzig")
        mission.partners.add(partner)
        user = MembershipFactory(organisation=partner).user
    else:
        user = MembershipFactory(
            organisation=mission.lead_organisation, role=MembershipRole.VIEWER
        ).user
    client.force_login(user)

    answers = [
        client.get(_page(mission)).status_code,
        client.post(_page(mission)).status_code,
        client.get(_status(mission)).status_code,
        client.get(_download(archive)).status_code,
    ]
    listing = client.get(reverse("plan:participant-list", kwargs={"pk": mission.pk}))

    assert answers == [404, 404, 404, 404]
    assert list(BookletArchive.objects.values_list("pk", flat=True)) == [archive.pk]
    assert listing.status_code == 200
    assert "Delegate booklets" not in listing.content.decode()


# EXPIRY ------------------------------------------------------------------------------------


def test_archives_finished_more_than_a_day_ago_are_deleted_with_their_files(mission):
    now = timezone.now()
    old = _ready_archive(mission, finished_at=now - dt.timedelta(days=1, minutes=1))
    failed = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.FAILED, finished_at=now - dt.timedelta(days=2)
    )
    fresh = _ready_archive(mission, finished_at=now - dt.timedelta(hours=23))
    building = BookletArchive.objects.create(mission=mission, state=ArchiveState.BUILDING)
    old_file = old.file.name

    assert expire_booklet_archives.apply().get() == 2

    assert set(BookletArchive.objects.values_list("pk", flat=True)) == {fresh.pk, building.pk}
    assert not default_storage.exists(old_file)
    assert default_storage.exists(fresh.file.name)
    assert failed.pk not in BookletArchive.objects.values_list("pk", flat=True)


def test_outsider_gets_404_on_every_booklet_url(client, mission, delegate):
    archive = _ready_archive(mission)
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)

    answers = [
        client.get(_page(mission)).status_code,
        client.post(_page(mission)).status_code,
        client.get(_status(mission)).status_code,
        client.get(_download(archive)).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert BookletArchive.objects.count() == 1


def test_download_of_another_missions_archive_is_404(client, mission, delegate, planner):
    theirs = _ready_archive(MissionFactory(lead_organisation=mission.lead_organisation))

    url = reverse("plan:booklets-download", kwargs={"pk": mission.pk, "archive_pk": theirs.pk})
    response = client.get(url)

    assert response.status_code == 404
    assert client.get(_download(theirs)).status_code == 200  # under its own mission


@pytest.mark.parametrize("state", [ArchiveState.QUEUED, ArchiveState.BUILDING, ArchiveState.FAILED])
def test_download_of_an_archive_not_ready_is_404(client, mission, delegate, planner, state):
    archive = _ready_archive(mission)
    BookletArchive.objects.filter(pk=archive.pk).update(state=state)

    response = client.get(_download(archive))

    assert response.status_code == 404


def test_download_of_a_file_gone_from_the_storage_is_404(client, mission, delegate, planner):
    archive = _ready_archive(mission)
    default_storage.delete(archive.file.name)

    response = client.get(_download(archive))

    assert response.status_code == 404


# AT REST -----------------------------------------------------------------------------------


def test_archive_rests_sealed_and_the_download_unseals_it(client, mission, delegate, planner):
    """A copy of the storage holds no booklet and no personal link; staff get the ZIP."""
    archive = _build(BookletArchive.objects.create(mission=mission, total=2))
    delegate.refresh_from_db()
    link = tokens.token_for(participant=delegate).encode()

    with default_storage.open(archive.file.name, "rb") as file:
        rested = file.read()
    downloaded = b"".join(client.get(_download(archive)).streaming_content)

    assert not zipfile.is_zipfile(io.BytesIO(rested))
    assert b"%PDF" not in rested
    assert link not in rested
    assert link[:16] not in rested
    assert len(zipfile.ZipFile(io.BytesIO(downloaded)).namelist()) == 2
    assert len(rested) == len(downloaded) + 28  # the nonce and the tag: nothing else kept


def test_archive_sealed_for_another_archive_or_key_does_not_open(
    client, mission, delegate, planner, settings
):
    archive, other = _ready_archive(mission), _ready_archive(mission)
    other.file.name = archive.file.name  # one archive's file put in another's place
    other.save()

    assert client.get(_download(archive)).status_code == 200
    assert client.get(_download(other)).status_code == 404
    assert booklet_archives.archive_content(archive) == EMPTY_ZIP
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY  # a copy of the storage alone
    assert booklet_archives.archive_content(archive) is None
