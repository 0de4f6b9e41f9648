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
def test_healthz_with_broker_down_names_the_broker_and_logs_the_details(
    client, monkeypatch, caplog
):
    port = _free_port()
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body == {"status": "error", "checks": {"database": "ok", "broker": "error"}}
    assert str(port) not in response.content.decode()  # no address for anonymous callers
    [logged] = [record for record in caplog.records if record.name == "config.health"]
    assert logged.getMessage() == "healthz: the broker is down"
    assert "OperationalError" in logged.exc_text


@pytest.mark.postgresql(reason="a database server that stops answering; SQLite has no server")
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_healthz_with_database_down_names_the_database(client, monkeypatch, caplog):
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
    assert body == {"status": "error", "checks": {"database": "error", "broker": "ok"}}
    [logged] = [record for record in caplog.records if record.name == "config.health"]
    assert "OperationalError" in logged.exc_text
