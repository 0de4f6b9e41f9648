"""`/healthz`: is the app able to reach the database and the Celery broker?

Anyone may ask, so the answer names the part that is down and no more; what went wrong
(hosts, ports, the error) goes to the log.
"""

import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
@transaction.non_atomic_requests  # a down database must give 503, not fail before the view
def healthz(request: HttpRequest) -> JsonResponse:
    """200 and every part "ok", or 503 with "error" for each failing part (logged)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # noqa: BLE001  (any failure means the part is down)
            logger.exception("healthz: the %s is down", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
