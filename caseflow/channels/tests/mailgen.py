"""Odd and broken e-mail, generated: the intake's second bad-input corpus (issue 5).

`corpus()` yields `Sample`s (name, what it tests, a lazy `build()` returning the raw bytes,
and what the pipeline must make of it). The 30 MB attachment is built only when asked for,
never written to the repository. Run as a script to write the messages as .eml files:

    python caseflow/channels/tests/mailgen.py OUTDIR [--big]
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CRLF = b"\r\n"
BIG_ATTACHMENT_BYTES = 30 * 1024 * 1024
DEEP = 60  # deeper than MAIL_MAX_MIME_DEPTH (20): parts below are left to the raw message
VERY_DEEP = 5000  # deeper than the stdlib parser's recursion can go: read to depth 20 all the same
HTML_DEEP = 199_990  # unclosed <div>s: a 1 MB HTML body, under MAIL_HTML_MAX_CHARS (issue 11)

PROCESSED = frozenset({"processed"})
IGNORED = frozenset({"ignored"})
HANDLED = frozenset({"processed", "ignored"})


@dataclass(frozen=True)
class Sample:
    name: str
    about: str
    build: Callable[[], bytes]
    outcome: frozenset[str] = PROCESSED  # statuses the pipeline may end in
    big: bool = False
    checks: dict[str, object] = field(default_factory=dict)


def _headers(**values: str | bytes | None) -> list[bytes]:
    """Header lines; keys use _ for -, None leaves a header out."""
    defaults: dict[str, str | bytes | None] = {
        "From": "Erika Muster <erika@example.org>",
        "To": "support@desk.test",
        "Subject": "Machine broken",
        "Date": "Mon, 02 Mar 2026 10:00:00 +0100",
        "Message_ID": None,
        "MIME_Version": "1.0",
    }
    defaults.update(values)
    lines = []
    for key, value in defaults.items():
        if value is None:
            continue
        name = key.replace("_", "-").encode()
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        lines.append(name + b": " + raw)
    return lines


def _msg(
    body: bytes = b"The pump rattles.",
    *,
    content_type: str | bytes | None = "text/plain; charset=utf-8",
    cte: str | None = None,
    eol: bytes = CRLF,
    mid: str | None = None,
    **headers: str | bytes | None,
) -> bytes:
    lines = _headers(**headers)
    if mid is not None:
        lines.append(b"Message-ID: " + mid.encode())
    if content_type is not None:
        ctype = content_type if isinstance(content_type, bytes) else content_type.encode()
        lines.append(b"Content-Type: " + ctype)
    if cte is not None:
        lines.append(b"Content-Transfer-Encoding: " + cte.encode())
    body = body.replace(b"\r\n", b"\n").replace(b"\n", eol)
    return eol.join(lines) + eol + eol + body + eol


def _multipart(subtype: str, parts: list[bytes], boundary: str = "b1", **headers) -> bytes:
    body = b""
    for part in parts:
        body += b"--" + boundary.encode() + CRLF + part + CRLF
    body += b"--" + boundary.encode() + b"--"
    return _msg(body, content_type=f'multipart/{subtype}; boundary="{boundary}"', **headers)


def _part(
    content: bytes,
    content_type: str = "text/plain; charset=utf-8",
    *,
    cte: str | None = None,
    disposition: str | bytes | None = None,
    extra: list[bytes] = (),  # type: ignore[assignment]
) -> bytes:
    lines = [b"Content-Type: " + content_type.encode()]
    if cte:
        lines.append(b"Content-Transfer-Encoding: " + cte.encode())
    if disposition:
        value = disposition if isinstance(disposition, bytes) else disposition.encode()
        lines.append(b"Content-Disposition: " + value)
    lines.extend(extra)
    return CRLF.join(lines) + CRLF + CRLF + content


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF).rstrip(CRLF)


def _attachment(name: str, data: bytes, content_type: str = "application/octet-stream") -> bytes:
    return _part(
        _b64(data),
        f'{content_type}; name="{name}"',
        cte="base64",
        disposition=f'attachment; filename="{name}"',
    )


def _nested(depth: int) -> bytes:
    """multipart/mixed inside multipart/mixed … `depth` times, a text part at the bottom."""
    head = CRLF.join(_headers(Subject=f"Nested {depth} deep")) + CRLF
    opening: list[bytes] = []
    closing: list[bytes] = []
    for level in range(depth):
        boundary = f"n{level}".encode()
        content_type = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'
        opening.append(content_type + CRLF + CRLF + b"--" + boundary + CRLF)
        closing.append(CRLF + b"--" + boundary + b"--")
    bottom = _part(b"At the bottom of the nest.")
    return head + b"".join(opening) + bottom + b"".join(reversed(closing)) + CRLF


def nested_messages(depth: int) -> bytes:
    """A text part and an attached message/rfc822 that holds a message/rfc822 … `depth`
    times, a text at the bottom."""
    inner = _part(b"At the bottom of the messages.")
    wrapper = b"Content-Type: message/rfc822" + CRLF + CRLF
    attached = wrapper * depth + inner
    return _multipart(
        "mixed",
        [_part(b"See the attached message."), attached],
        Subject=f"Messages nested {depth} deep",
    )


def many_parts(count: int) -> bytes:
    """A multipart/mixed of `count` one-line text parts."""
    return _multipart(
        "mixed", [_part(f"part {n}".encode()) for n in range(count)], Subject=f"{count} parts"
    )


def deep_html(count: int = HTML_DEEP, opening: str = "<div>", *, text_part: bool = True) -> bytes:
    """HTML of `count` unclosed elements (`opening`, `{n}` numbered), with a text part or
    alone."""
    html = "".join(opening.replace("{n}", str(n)) for n in range(count)) + "Help, it leaks."
    body = _part(html.encode(), "text/html; charset=utf-8")
    if not text_part:
        return _msg(
            html.encode(), content_type="text/html; charset=utf-8", Subject="Deep HTML only"
        )
    return _multipart("alternative", [_part(b"Help, it leaks."), body], Subject="Deep HTML")


def one_line_attachment(size: int, name: str = "log.bin") -> bytes:
    """A text part and a `size`-byte attachment whose base64 is one line."""
    payload = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    attachment = _part(
        base64.b64encode(payload),
        f'application/octet-stream; name="{name}"',
        cte="base64",
        disposition=f'attachment; filename="{name}"',
    )
    return _multipart(
        "mixed", [_part(b"The log is attached."), attachment], Subject="Log on one line"
    )


def _big_attachment() -> bytes:
    payload = (b"0123456789abcdef" * 65536) * (BIG_ATTACHMENT_BYTES // (16 * 65536))
    text = _part(b"The log file of the machine is attached.")
    return _multipart(
        "mixed",
        [text, _attachment("machine-log.bin", payload)],
        Subject="Huge log attached",
    )


def _tnef() -> bytes:
    # TNEF signature, a legacy key and one attribute: what Outlook's winmail.dat starts with.
    data = b"\x78\x9f\x3e\x22" + b"\x01\x00" + b"\x01\x06\x90\x08\x00" + b"\x00" * 64
    text = _part(b"See the attached file.")
    winmail = _part(
        _b64(data),
        'application/ms-tnef; name="winmail.dat"',
        cte="base64",
        disposition='attachment; filename="winmail.dat"',
    )
    return _multipart("mixed", [text, winmail], Subject="Outlook rich text")


def _smime_signed() -> bytes:
    signature = b"\x30\x82\x01\x0a\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\x00" * 200
    text = _part(b"Signed message about the grinder.")
    sig = _part(
        _b64(signature),
        'application/pkcs7-signature; name="smime.p7s"',
        cte="base64",
        disposition='attachment; filename="smime.p7s"',
    )
    return _multipart(
        'signed; protocol="application/pkcs7-signature"; micalg=sha-256',
        [text, sig],
        Subject="Signed",
    )


def _smime_encrypted() -> bytes:
    blob = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03" + bytes(range(256)) * 4
    return _msg(
        _b64(blob),
        content_type='application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        cte="base64",
        Subject="Encrypted",
        Content_Disposition='attachment; filename="smime.p7m"',
    )


def _many_recipients(count: int = 500) -> bytes:
    to = ",\r\n ".join(f"Person {n} <person{n}@example.com>" for n in range(count))
    return _msg(b"To everyone at once.", To=to, Subject=f"{count} recipients")


# fmt: off
def corpus() -> Iterator[Sample]:
    """Every generated sample, in a stable order (a catalogue: kept one sample per entry)."""
    s = Sample

    # --- charsets -----------------------------------------------------------------------
    yield s("charset-unknown", "a charset Python does not know",
            lambda: _msg("Grüße".encode(), content_type="text/plain; charset=x-klingon"))
    yield s("charset-missing-8bit", "8-bit body without a charset",
            lambda: _msg("Ärger mit der Pumpe".encode("latin-1"), content_type="text/plain"))
    yield s("charset-lying", "declares UTF-8, carries Latin-1",
            lambda: _msg("Prüfung fehlgeschlagen".encode("latin-1")),
            checks={"text_contains": "Pr"})
    yield s("charset-empty-param", "charset= with no value",
            lambda: _msg(b"Hello", content_type="text/plain; charset="))
    yield s("charset-utf7-subject", "a UTF-7 encoded word",
            lambda: _msg(b"x", Subject="=?utf-7?Q?+ANw-bermittlung?="),
            checks={"subject": "Übermittlung"})
    yield s("charset-unknown-encoded-word", "an encoded word in an unknown charset",
            lambda: _msg(b"x", Subject="=?x-unknown?B?SGVsbG8=?= world"))
    yield s("charset-gb2312-superset", "GB2312 label, GB18030 characters",
            lambda: _msg("內應力".encode("gb18030"), content_type="text/plain; charset=gb2312"))
    yield s("charset-shift-jis", "Japanese body",
            lambda: _msg("故障しました".encode("shift_jis"),
                         content_type="text/plain; charset=shift_jis"),
            checks={"text_contains": "故障"})

    # --- headers ------------------------------------------------------------------------
    yield s("header-8bit-utf8", "raw UTF-8 in headers (RFC 6532)",
            lambda: _msg(b"x", Subject="Störung am Gerät".encode(),
                         From="Jörg Müller <joerg@example.de>".encode()),
            checks={"subject": "Störung am Gerät", "sender_name": "Jörg Müller"})
    yield s("header-8bit-latin1", "raw Latin-1 in headers",
            lambda: _msg(b"x", Subject="Störung".encode("latin-1")),
            checks={"subject": "Störung"})
    yield s("header-nul-bytes", "NUL bytes in a header and the body",
            lambda: _msg(b"body\x00with nul", Subject=b"nul\x00subject"))
    yield s("header-missing-from", "no From at all",
            lambda: _msg(b"Who am I?", From=None), checks={"unknown_sender": True})
    yield s("header-missing-date", "no Date", lambda: _msg(b"x", Date=None))
    yield s("header-missing-message-id", "no Message-ID", lambda: _msg(b"x"))
    yield s("header-missing-subject", "no Subject", lambda: _msg(b"x", Subject=None))
    yield s("header-missing-all", "no headers at all, only text",
            lambda: b"just some text\r\nwithout any header\r\n")
    yield s("header-date-invalid", "a Date nobody can read",
            lambda: _msg(b"x", Date="yesterday, around noon"))
    yield s("header-date-future", "a Date far in the future",
            lambda: _msg(b"x", Date="Fri, 01 Jan 2100 00:00:00 +0000"))
    yield s("header-date-ancient", "a Date in 1970",
            lambda: _msg(b"x", Date="Thu, 01 Jan 1970 00:00:00 +0000"))
    yield s("header-date-bad-zone", "an impossible time zone",
            lambda: _msg(b"x", Date="Mon, 02 Mar 2026 10:00:00 +9999"))
    yield s("header-message-id-malformed", "a Message-ID without brackets and with spaces",
            lambda: _msg(b"x", mid="not a message id"))
    yield s("header-references-huge", "References with 1,000 ids",
            lambda: _msg(b"x", References=" ".join(f"<r{n}@x.example>" for n in range(1000))))
    yield s("header-subject-100k", "a 100 KB Subject",
            lambda: _msg(b"x", Subject="long " * 20000))
    yield s("header-group-empty", "To: undisclosed-recipients:;",
            lambda: _msg(b"x", To="undisclosed-recipients:;"))
    yield s("header-from-name-only", "From with a name and no address",
            lambda: _msg(b"x", From="Just A Name"), checks={"unknown_sender": True})
    yield s("header-from-several", "From with two addresses",
            lambda: _msg(b"x", From="a@example.org, b@example.org"))
    yield s("header-from-broken", "From: foo@ (no domain)", lambda: _msg(b"x", From="foo@"))
    yield s("header-bom", "a UTF-8 byte-order mark before the headers",
            lambda: b"\xef\xbb\xbf" + _msg(b"x"))
    yield s("header-mbox-from-line", "an mbox From_ line first",
            lambda: b"From erika@example.org Mon Mar  2 10:00:00 2026\n" + _msg(b"x", eol=b"\n"))
    yield s("header-no-separator", "garbage line inside the header block",
            lambda: _msg(b"x").replace(b"Subject:", b"this is no header\r\nSubject:", 1))
    yield s("recipients-500", "a message with 500 recipients", _many_recipients,
            checks={"recipients": 500})
    yield s("case-tag-forged", "a case tag for a case that does not exist",
            lambda: _msg(b"x", Subject="Re: [C-2019-999999] my old case"),
            checks={"new_case": True})

    # --- line ends and encodings --------------------------------------------------------
    yield s("eol-lf", "LF line ends", lambda: _msg(b"line one\nline two", eol=b"\n"))
    yield s("eol-cr", "bare CR line ends", lambda: _msg(b"line one\rline two", eol=b"\r"))
    yield s("cte-base64-broken", "base64 that is not base64",
            lambda: _msg(b"!!!not*base64###\r\n====", cte="base64"))
    yield s("cte-qp-broken", "quoted-printable with bad escapes",
            lambda: _msg(b"caf=E9 =ZZ =\r\nend", cte="quoted-printable"))
    yield s("cte-unknown", "Content-Transfer-Encoding: x-martian",
            lambda: _msg(b"hello", cte="x-martian"))
    yield s("cte-8bit-binary", "binary bytes in an 8bit body",
            lambda: _msg(bytes(range(256)) * 4, cte="8bit"))
    yield s("cte-uuencode", "an x-uuencode body",
            lambda: _msg(b"begin 644 a.txt\r\n#86)C\r\n`\r\nend", cte="x-uuencode"))
    yield s("body-empty", "headers and an empty body", lambda: _msg(b""))
    yield s("body-long-line", "one 1 MB line", lambda: _msg(b"a" * 1_000_000))
    yield s("body-over-text-limit", "300,000 characters of text",
            lambda: _msg(("Zeile mit Text. " * 20000).encode()),
            checks={"text_truncated": True})

    # --- structure ----------------------------------------------------------------------
    yield s("mime-html-only", "HTML only, no text part",
            lambda: _msg(b"<html><body><p>Only <b>HTML</b> here</p></body></html>",
                         content_type="text/html; charset=utf-8"),
            checks={"text_contains": "Only HTML here"})
    yield s("mime-html-hostile", "HTML with scripts, handlers and tracking pixels",
            lambda: _msg(b'<p onmouseover="x()">Hi</p><script>alert(1)</script>'
                         b'<img src="http://t.example/p.gif"><iframe src="http://e.x"></iframe>',
                         content_type="text/html; charset=utf-8"),
            checks={"html_safe": True})
    yield s("mime-attachment-only", "an attachment and no text",
            lambda: _multipart("mixed", [_attachment("report.pdf", b"%PDF-1.4 fake")]),
            checks={"files": ["report.pdf"]})
    yield s("mime-no-boundary", "multipart without a boundary",
            lambda: _msg(b"--x\r\n\r\ntext\r\n--x--", content_type="multipart/mixed"))
    yield s("mime-unclosed-boundary", "a boundary that never closes",
            lambda: _msg(b"--b1\r\nContent-Type: text/plain\r\n\r\nhello",
                         content_type='multipart/mixed; boundary="b1"'))
    yield s("mime-no-subtype", "Content-Type: application-x-gzip",
            lambda: _msg(b"\x1f\x8b\x08\x00", content_type="application-x-gzip"))
    yield s("mime-nested-deep", f"multiparts nested {DEEP} deep", lambda: _nested(DEEP))
    yield s("mime-nested-extreme", f"multiparts nested {VERY_DEEP} deep",
            lambda: _nested(VERY_DEEP))
    yield s("mime-messages-nested", f"message/rfc822 nested {VERY_DEEP} deep",
            lambda: nested_messages(VERY_DEEP), checks={"text_contains": "See the attached"})
    yield s("mime-parts-5000", "5,000 parts (the first 1,000 are read)",
            lambda: many_parts(5000), checks={"text_contains": "part 998"})
    yield s("html-nested-deep", f"{HTML_DEEP} unclosed <div>s in 1 MB of HTML",
            lambda: deep_html(HTML_DEEP), checks={"text_contains": "Help, it leaks."})
    yield s("mime-rfc822-attached", "a forwarded message as attachment",
            lambda: _multipart("mixed", [
                _part(b"Forwarding this."),
                _part(_msg(b"inner", Subject="Inner subject"), "message/rfc822"),
            ]),
            checks={"files": ["Inner subject.eml"]})
    yield s("mime-rfc822-broken", "an attached message that is garbage",
            lambda: _multipart("mixed", [_part(b"\x00\xff garbage", "message/rfc822")]))
    yield s("mime-inline-image", "an inline image referenced by cid",
            lambda: _multipart("related", [
                _part(b'<p>Logo: <img src="cid:logo@x"></p>', "text/html; charset=utf-8"),
                _part(_b64(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "image/png", cte="base64",
                      disposition="inline", extra=[b"Content-ID: <logo@x>"]),
            ]),
            checks={"files": ["image.png"]})
    yield s("mime-calendar", "a calendar invitation",
            lambda: _multipart("mixed", [
                _part(b"Invitation"),
                _part(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR", "text/calendar; method=REQUEST"),
            ]))
    yield s("attachment-tnef", "an Outlook winmail.dat", _tnef, checks={"files": ["winmail.dat"]})
    yield s("attachment-smime-signed", "S/MIME signed", _smime_signed,
            checks={"files": ["smime.p7s"]})
    yield s("attachment-smime-encrypted", "S/MIME encrypted", _smime_encrypted,
            checks={"files": ["smime.p7m"]})
    yield s("attachment-30mb", "a 30 MB attachment over the limit", _big_attachment, big=True,
            checks={"skipped": ["machine-log.bin"]})
    yield s("attachment-empty", "a zero-byte attachment",
            lambda: _multipart("mixed", [_part(b"see file"), _attachment("empty.txt", b"")]),
            checks={"skipped": ["empty.txt"]})
    yield s("attachment-60", "60 attachments (over the count limit)",
            lambda: _multipart("mixed", [_part(b"many files")] + [
                _attachment(f"f{n}.txt", f"file {n}".encode(), "text/plain") for n in range(60)
            ]),
            checks={"file_count": 50})
    yield s("filename-traversal", "a file name climbing directories",
            lambda: _multipart("mixed", [_part(b"x"), _attachment("../../etc/passwd", b"root")]),
            checks={"files": ["passwd"]})
    yield s("filename-windows-device", "a Windows device name (CON.txt)",
            lambda: _multipart("mixed", [_part(b"x"), _attachment("CON.txt", b"device")]),
            checks={"files": ["_CON.txt"]})
    yield s("filename-rtl-override", "a right-to-left override hiding .exe",
            lambda: _multipart("mixed", [_part(b"x"), _attachment("invoice\u202efdp.exe", b"MZ")]),
            checks={"files": ["invoicefdp.exe"]})
    yield s("filename-rfc2231", "an RFC 2231 encoded file name",
            lambda: _multipart("mixed", [_part(b"x"), _part(
                _b64(b"data"), "application/octet-stream", cte="base64",
                disposition=b"attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt")]),
            checks={"files": ["Grüße.txt"]})
    yield s("filename-encoded-word", "an encoded word as file name",
            lambda: _multipart("mixed", [_part(b"x"), _attachment(
                "=?utf-8?B?w5xiZXJzaWNodC5wZGY=?=", b"%PDF")]),
            checks={"files": ["Übersicht.pdf"]})
    yield s("filename-very-long", "a 1,000 character file name",
            lambda: _multipart("mixed", [_part(b"x"), _attachment("a" * 1000 + ".txt", b"x")]))

    # --- automatic mail -----------------------------------------------------------------
    yield s("auto-submitted", "Auto-Submitted: auto-replied",
            lambda: _msg(b"I am away", Auto_Submitted="auto-replied"), outcome=IGNORED)
    yield s("auto-x-autoreply", "X-Autoreply", lambda: _msg(b"away", X_Autoreply="yes"),
            outcome=IGNORED)
    yield s("auto-x-autorespond", "X-Autorespond", lambda: _msg(b"away", X_Autorespond="1"),
            outcome=IGNORED)
    yield s("auto-precedence-bulk", "Precedence: bulk",
            lambda: _msg(b"newsletter", Precedence="bulk"), outcome=IGNORED)
    yield s("auto-precedence-junk", "Precedence: junk",
            lambda: _msg(b"spam", Precedence="junk"), outcome=IGNORED)
    yield s("auto-list-id", "a mailing list post",
            lambda: _msg(b"post", List_Id="<users.lists.example.org>"), outcome=IGNORED)
    yield s("auto-mailer-daemon", "a bounce from MAILER-DAEMON",
            lambda: _msg(b"bounced", From="MAILER-DAEMON@mx.example.org"), outcome=IGNORED)
    yield s("auto-dsn-report", "a multipart/report delivery status notification",
            lambda: _multipart("report; report-type=delivery-status", [
                _part(b"Delivery failed."),
                _part(b"Reporting-MTA: dns; mx.example.org\r\n\r\n"
                      b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\n"
                      b"Status: 5.1.1", "message/delivery-status"),
            ], From="postmaster@example.org", Subject="Undeliverable"), outcome=IGNORED)
    yield s("auto-return-path-empty", "Return-Path: <> (a null sender)",
            lambda: _msg(b"x", Return_Path="<>"), outcome=IGNORED)
# fmt: on


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 64
    target = Path(argv[0])
    target.mkdir(parents=True, exist_ok=True)
    big = "--big" in argv
    count = 0
    for sample in corpus():
        if sample.big and not big:
            continue
        (target / f"{sample.name}.eml").write_bytes(sample.build())
        count += 1
    print(f"{count} messages written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
