"""The shipped gunicorn configuration keeps personal links out of its access log."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.config.test_settings import PRODUCTION_ENV, ROOT

TOKEN = "0123456789abcdef" * 4  # the shape of a personal link's token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(url, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_access_log_redacts_personal_links_of_requests_that_reach_no_view(tmp_path: Path):
    """Production's HTTP-to-HTTPS redirect and a wrong page under a link answer before any
    view could redact the path: the access log still shows `[token]`, never the token."""
    port = _free_port()
    log = tmp_path / "access.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed arguments)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *("-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"),
            *("--access-logfile", str(log), "--workers", "1", "config.wsgi"),
        ],
        cwd=ROOT,
        env=clean | PRODUCTION_ENV | {"DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answers = [
                    _status(f"http://127.0.0.1:{port}/d/{TOKEN}/"),
                    _status(f"http://127.0.0.1:{port}/r/{TOKEN}/nonexistent?x=1"),
                    _status(f"http://127.0.0.1:{port}/c/{TOKEN}.ics?alarm=1"),
                ]
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)

    lines = log.read_text().splitlines()
    assert answers == [301, 301, 301]  # production sends plain HTTP to HTTPS first
    assert len(lines) == 3
    assert TOKEN not in log.read_text()
    assert '"GET /d/[token]/ HTTP/1.1" 301' in lines[0]
    assert '"GET /r/[token]/nonexistent?x=1 HTTP/1.1" 301' in lines[1]
    assert '"GET /c/[token].ics?alarm=1 HTTP/1.1" 301' in lines[2]
