import socket

import pytest
from django.db import connection

from config.celery_app import app as celery_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_with_database_and_broker_up_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_with_broker_down_names_the_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: OperationalError")


@pytest.mark.postgresql(reason="a database server that stops answering; SQLite has no server")
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_healthz_with_database_down_names_the_database(client, monkeypatch):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", str(_free_port()))
    try:
        response = client.get("/healthz")
    finally:
        monkeypatch.undo()
        connection.close()
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["broker"] == "ok"
    assert body["checks"]["database"].startswith("error: OperationalError")
