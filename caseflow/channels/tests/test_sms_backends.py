"""The SMS providers: the console backend for development, and the generic HTTP gateway
against a real HTTP server on a loopback port (success, 5xx temporary, 4xx permanent)."""

from __future__ import annotations

import logging
import socket
from urllib.parse import parse_qs

import pytest
from django.test import override_settings

from caseflow.channels.sms.backends import (
    ConsoleBackend,
    HttpGatewayBackend,
    PermanentSmsError,
    TemporarySmsError,
    get_backend,
)
from caseflow.channels.sms.length import GSM7, UCS2, measure

# --- length and segments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "units"),
    [
        ("", GSM7, 0, 0),
        ("Hallo", GSM7, 1, 5),
        ("x" * 160, GSM7, 1, 160),
        ("x" * 161, GSM7, 2, 161),
        ("x" * 306, GSM7, 2, 306),
        ("x" * 307, GSM7, 3, 307),
        ("Preis: 20 € [netto]", GSM7, 1, 22),  # €, [ and ] take two septets each
        ("Grüße aus München", GSM7, 1, 17),  # ü and ö are in the GSM alphabet
        ("Größe", GSM7, 1, 5),  # ö and ß are GSM characters too
        ("Ça coûte 5 €", UCS2, 1, 12),  # û is not in GSM 03.38
        ("y" * 70 + "û", UCS2, 2, 71),
        ("ok 👍", UCS2, 1, 5),  # an emoji is two UTF-16 units
        ("ç" * 71, UCS2, 2, 71),
    ],
)
def test_encoding_and_segments(text, encoding, segments, units):
    length = measure(text)

    assert (length.encoding, length.segments, length.units) == (encoding, segments, units)


def test_remaining_counts_down_in_the_last_segment():
    assert measure("x" * 150).remaining == 10
    assert measure("x" * 200).remaining == 306 - 200
    assert measure("").remaining == 160


# --- console ------------------------------------------------------------------------------------


def test_the_console_backend_logs_the_message_and_gives_an_id(caplog):
    with caplog.at_level(logging.INFO, logger="caseflow.sms"):
        message_id = ConsoleBackend().send("+491712345678", "Your machine is ready.", ref="r-1")

    assert message_id.startswith("console-")
    assert "+491712345678" in caplog.text
    assert "Your machine is ready." in caplog.text
    assert "r-1" in caplog.text


def test_the_backend_is_chosen_by_a_setting():
    assert isinstance(get_backend(), ConsoleBackend)
    with override_settings(SMS_BACKEND="caseflow.channels.sms.backends.HttpGatewayBackend"):
        assert isinstance(get_backend(), HttpGatewayBackend)
    with (
        override_settings(SMS_BACKEND="caseflow.nowhere.Backend"),
        pytest.raises(PermanentSmsError, match="SMS_BACKEND"),
    ):
        get_backend()


# --- HTTP gateway -------------------------------------------------------------------------------


def gateway_backend(url: str, **options) -> HttpGatewayBackend:
    options.setdefault("auth_header", "X-Api-Key")
    options.setdefault("auth_value", "k-123")
    return HttpGatewayBackend(url=url, timeout=5, **options)


def test_json_gateway_success_returns_the_providers_id(sms_gateway):
    sms_gateway.answers = [(201, {"messages": [{"id": "abc-42", "status": "accepted"}]})]
    backend = gateway_backend(sms_gateway.url, id_key="messages.0.id")

    message_id = backend.send("+491712345678", 'Termin "morgen" {to} ok', ref="caseflow-sms-7")

    assert message_id == "abc-42"
    (request,) = sms_gateway.requests
    assert request.method == "POST"
    assert request.path == "/send"
    assert request.headers["X-Api-Key"] == "k-123"
    assert request.headers["Content-Type"].startswith("application/json")
    # the values are JSON-escaped, and a "{to}" the customer typed stays as it is
    assert request.json() == {
        "to": "+491712345678",
        "from": "Caseflow",
        "text": 'Termin "morgen" {to} ok',
    }


def test_form_gateway_with_put_and_a_custom_body(sms_gateway):
    backend = gateway_backend(
        sms_gateway.url,
        method="PUT",
        format="form",
        body="recipient={to}&message={text}&sender={from}&client_ref={ref}&type=text",
        id_key="",
    )

    message_id = backend.send("+491712345678", "a&b=c ü", ref="caseflow-sms-8")

    assert message_id == ""
    (request,) = sms_gateway.requests
    assert request.method == "PUT"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "recipient": ["+491712345678"],
        "message": ["a&b=c ü"],
        "sender": ["Caseflow"],
        "client_ref": ["caseflow-sms-8"],
        "type": ["text"],
    }


def test_no_auth_header_without_a_value(sms_gateway):
    gateway_backend(sms_gateway.url, auth_value="").send("+491712345678", "x")

    assert "X-Api-Key" not in sms_gateway.requests[0].headers


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_a_5xx_or_throttling_is_temporary(sms_gateway, status):
    sms_gateway.answers = [(status, {"error": "busy"})]

    with pytest.raises(TemporarySmsError, match=str(status)):
        gateway_backend(sms_gateway.url).send("+491712345678", "x")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_4xx_is_permanent(sms_gateway, status):
    sms_gateway.answers = [(status, {"error": "invalid number"})]

    with pytest.raises(PermanentSmsError, match="invalid number"):
        gateway_backend(sms_gateway.url).send("+491712345678", "x")


def test_a_redirect_is_permanent_not_followed(sms_gateway):
    sms_gateway.answers = [(302, {})]

    with pytest.raises(PermanentSmsError, match="302"):
        gateway_backend(sms_gateway.url).send("+491712345678", "x")
    assert len(sms_gateway.requests) == 1


def test_an_unreachable_gateway_is_temporary():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TemporarySmsError, match="unreachable"):
        gateway_backend(f"http://127.0.0.1:{port}/send").send("+491712345678", "x")


def test_an_answer_without_the_id_still_counts_as_sent(sms_gateway, caplog):
    sms_gateway.answers = [(200, b"OK")]

    assert gateway_backend(sms_gateway.url, id_key="id").send("+491712345678", "x") == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": ""}, "SMS_HTTP_URL"),
        ({"url": "file:///etc/passwd"}, "SMS_HTTP_URL"),
        ({"url": "http://127.0.0.1:9/", "body": "{not json"}, "SMS_HTTP_BODY"),
        ({"url": "http://127.0.0.1:9/", "format": "form", "body": ""}, "SMS_HTTP_BODY"),
    ],
)
def test_a_misconfiguration_is_permanent_and_sends_nothing(options, message):
    backend = HttpGatewayBackend(**options)

    with pytest.raises(PermanentSmsError, match=message):
        backend.send("+491712345678", "x")
