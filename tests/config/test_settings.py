"""Production settings: clean deploy checks with the variables set, a clear stop without them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "itinera.example.org",
    "DATABASE_URL": "postgres://itinera@db.example.org:5432/itinera",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603  (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_deploy_check_with_production_variables_set_passes():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


NO_SECRET_KEY = (
    "django.core.exceptions.ImproperlyConfigured: "
    "Set the DJANGO_SECRET_KEY environment variable (production settings, the default of "
    "manage.py and celery; on a developer's machine: "
    "export DJANGO_SETTINGS_MODULE=config.settings.local)"
)


def test_production_start_without_secret_key_stops_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == NO_SECRET_KEY


def test_manage_py_on_a_server_with_nothing_set_never_falls_back_to_debug():
    result = _manage("check", env={})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == NO_SECRET_KEY


def test_a_celery_worker_with_nothing_set_never_falls_back_to_debug():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603  (our own Celery app, fixed arguments)
        [sys.executable, "-m", "celery", "--app", "config", "report"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def _setting(name: str, env: dict[str, str]) -> str:
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's note of its imports


def test_production_requires_a_second_factor_of_superusers_and_make_run_does_not():
    """Under production's settings a superuser signs in with a code; `make run`'s demo
    admin signs in with the published password alone."""
    local = {"DJANGO_SETTINGS_MODULE": "config.settings.local"}

    assert _setting("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", PRODUCTION_ENV) == "True"
    assert _setting("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", local) == "False"
