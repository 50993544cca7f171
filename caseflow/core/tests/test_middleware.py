"""The Server-Timing header: on when configured, absent otherwise."""

import re

import pytest
from django.test import override_settings
from django.test.client import Client


@pytest.mark.django_db
def test_server_timing_reports_app_and_database_time(agent):
    with override_settings(SERVER_TIMING=True):
        client = Client()  # the middleware chain is built per handler: a new client sees it
        client.force_login(agent)
        response = client.get("/cases/")
    assert response.status_code == 200
    match = re.fullmatch(
        r'app;dur=(\d+\.\d), cpu;dur=(\d+\.\d), db;dur=(\d+\.\d);desc="(\d+) queries"',
        response["Server-Timing"],
    )
    assert match, response["Server-Timing"]
    app_ms, cpu_ms, db_ms = float(match[1]), float(match[2]), float(match[3])
    assert 0 < db_ms <= app_ms
    assert cpu_ms > 0
    queries = int(match[4])
    assert queries > 0


@pytest.mark.django_db
def test_no_header_unless_configured(client, agent):
    client.force_login(agent)
    assert "Server-Timing" not in client.get("/cases/")
