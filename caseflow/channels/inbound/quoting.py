"""Quoted history in e-mail text: found so the timeline can fold it (the text is kept whole).

`segments(text)` cuts a message into new text and quoted history: blocks of `> ` lines with
the attribution above them ("On … wrote:", "Am … schrieb …:", "El … escribió:"), and
everything after an Outlook-style separator ("-----Original Message-----", a `From:`/`Sent:`
header block). Interleaved answers between quote blocks stay visible.
"""

from __future__ import annotations

import re

ATTRIBUTION = re.compile(
    r"^\s*(?:On\s.{1,300}\swrote|Am\s.{1,300}\sschrieb.{0,200}|El\s.{1,300}\sescribi[óo]"
    r"|Le\s.{1,300}\sa\s[ée]crit|.{1,200}\s(?:wrote|schrieb|escribió))\s*:\s*$",
    re.IGNORECASE,
)
SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht|"
    r"Mensaje original|Message d'origine|Forwarded message|Weitergeleitete Nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\**(?:From|Von|De)\s*:\**\s*\S", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\**(?:Sent|Gesendet|Enviado|Date|Datum|Fecha|To|An|Para|Subject|Betreff|Asunto)"
    r"\s*:",
    re.IGNORECASE,
)
MAX_LINES = 20000


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _next_filled(lines: list[str], start: int) -> int | None:
    for index in range(start, min(len(lines), start + 5)):
        if lines[index].strip():
            return index
    return None


def _history_starts(lines: list[str], index: int) -> bool:
    """Whether quoted history without `>` starts at this line (Outlook and forwards)."""
    line = lines[index]
    if SEPARATOR.match(line):
        return True
    if HEADER_FROM.match(line):
        following = _next_filled(lines, index + 1)
        return following is not None and bool(HEADER_NEXT.match(lines[following]))
    return False


def _attribution_at(lines: list[str], index: int) -> int | None:
    """Where an attribution for a quote block starting at `index` begins (it may be wrapped
    over two lines, as Gmail does), or None."""
    previous = index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if previous < 0:
        return None
    if ATTRIBUTION.match(lines[previous]):
        return previous
    if previous >= 1 and ATTRIBUTION.match(f"{lines[previous - 1]} {lines[previous]}"):
        return previous - 1
    return None


def segments(text: str) -> list[tuple[bool, str]]:
    """`text` as (is_quoted, chunk) pairs, in order (blank lines at the cuts dropped)."""
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        return [(False, text)]
    result: list[tuple[bool, list[str]]] = []

    def add(quoted: bool, chunk: list[str]) -> None:
        if not chunk:
            return
        if result and result[-1][0] == quoted:
            result[-1][1].extend(chunk)
        else:
            result.append((quoted, list(chunk)))

    plain: list[str] = []
    index = 0
    while index < len(lines):
        if _history_starts(lines, index):
            add(False, plain)
            add(True, lines[index:])
            plain = []
            break
        if _quoted(lines[index]):
            start = index
            end = index
            while end < len(lines):
                if _quoted(lines[end]):
                    end += 1
                    continue
                following = _next_filled(lines, end)
                if not lines[end].strip() and following is not None and _quoted(lines[following]):
                    end = following
                    continue
                break
            attribution = _attribution_at(lines, start)
            if attribution is not None and attribution >= index - len(plain):
                cut = len(plain) - (index - attribution)
                add(False, plain[:cut])
                add(True, plain[cut:])
            else:
                add(False, plain)
            plain = []
            add(True, lines[start:end])
            index = end
            continue
        plain.append(lines[index])
        index += 1
    add(False, plain)
    return [(quoted, "\n".join(chunk).strip("\n")) for quoted, chunk in result if chunk]


def new_text(text: str) -> str:
    """The message without its quoted history (what the customer wrote this time)."""
    fresh = "\n\n".join(chunk for quoted, chunk in segments(text) if not quoted and chunk.strip())
    return fresh.strip() or text.strip()
