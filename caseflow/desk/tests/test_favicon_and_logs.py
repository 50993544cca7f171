"""The site's icon on every page, and a development server log that shows what people watch
it for (the e-mails out) instead of the call notice's poll every 3 s per open tab."""

from __future__ import annotations

import logging

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.module_loading import import_string

from caseflow import settings as real_settings
from caseflow.desk.logfilters import QUIET_PATHS, QuietPolls

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_icon_not_a_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == static("ui/favicon.ico")
    assert "max-age" in response["Cache-Control"]
    assert finders.find("ui/favicon.ico") and finders.find("ui/favicon.svg")
    assert client.post("/favicon.ico").status_code == 405


def test_the_icon_file_is_an_icon():
    with open(finders.find("ui/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    with open(finders.find("ui/favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith("<svg ")


@pytest.mark.parametrize(
    "address",
    [
        lambda: reverse("desk:login"),
        lambda: reverse("desk:incoming"),
        lambda: reverse("channels:webform_lang", kwargs={"lang": "en"}),
    ],
    ids=["login", "desk", "web form"],
)
def test_every_base_template_names_the_icon(client, agent, address):
    # (not "page": that is pytest-playwright's fixture, and would make this a browser test)
    client.force_login(agent)
    if "login" in address():
        client.logout()

    html = client.get(address()).content.decode()

    assert f'rel="icon" href="{static("ui/favicon.svg")}"' in html
    assert f'rel="icon" href="{static("ui/favicon.ico")}"' in html


# --- the development server's request log --------------------------------------------------


def server_record(request_line: str, status: int) -> logging.LogRecord:
    """A record as Django's development server logs a request (basehttp.log_message)."""
    return logging.makeLogRecord(
        {
            "name": "django.server",
            "msg": '"%s" %s %s',
            "args": (request_line, str(status), "0"),
            "status_code": status,
            "levelno": logging.INFO,
        }
    )


@pytest.mark.parametrize("status", [200, 204, 286])
def test_a_successful_notice_poll_is_not_logged(status):
    notice = reverse("channels:call_notice")
    assert notice.startswith(QUIET_PATHS)  # the filter knows the poll's path

    record = server_record(f"GET {notice}?seen=12.ringing HTTP/1.1", status)

    assert QuietPolls().filter(record) is False


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("GET /calls/notice/?seen= HTTP/1.1", 500),  # a failing poll is a real error
        ("GET /calls/notice/ HTTP/1.1", 403),
        ("POST /calls/12/dismiss/ HTTP/1.1", 200),
        ("GET /cases/ HTTP/1.1", 200),
        ("POST /calls/notice/ HTTP/1.1", 200),
    ],
)
def test_everything_else_is_still_logged(line, status):
    assert QuietPolls().filter(server_record(line, status)) is True


def test_records_without_a_status_are_kept():
    record = logging.makeLogRecord({"name": "django.server", "msg": "Starting", "args": ()})
    assert QuietPolls().filter(record) is True


def test_the_settings_put_the_filter_on_the_servers_log():
    config = real_settings.LOGGING
    server = config["loggers"]["django.server"]

    assert server["filters"] == ["quiet_polls"]
    assert import_string(config["filters"]["quiet_polls"]["()"]) is QuietPolls
    # Django's own set-up of that log, kept: its handler, formatter and level
    assert server["handlers"] == ["django.server"] and server["level"] == "INFO"
    assert not server["propagate"]
    handler = config["handlers"]["django.server"]
    assert config["formatters"][handler["formatter"]]["()"] == "django.utils.log.ServerFormatter"
