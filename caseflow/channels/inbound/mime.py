"""A message's MIME structure, read by the stdlib's parser in bounded time and memory.

`email.message_from_bytes` keeps every body as a list of lines, then as one string, then
decodes it (a 30 MB attachment on one base64 line: ~450 MB at the peak); it recurses once per
nesting level (5,000 nested multiparts: `RecursionError`); and it builds every part and every
header however many there are. `read(raw)` runs the same parser (`email.feedparser`, so
headers, boundaries and defects are the stdlib's own) over `_Lines`, a reader of the raw
bytes that decides what the parser gets to see:

- **bodies stay in the raw bytes**: a leaf part's body is handed over as a placeholder, and
  its place (`_Part.body_span`) is kept; `Reading.content` decodes it from there only when it
  is wanted, and says how large it is without decoding a base64 body that is over the limit;
- **nesting deeper than `max_depth`** and **parts past `MAX_PARTS`** are skipped, not parsed
  (`Reading.unread` counts them), so the parser's recursion stays shallow;
- preambles and epilogues (never shown) are kept short; header blocks are bounded per part
  and in total; everything handed over as text is bounded, and past that the rest of the
  message is not read.

Lines are split as the stdlib splits them (`\\r\\n`, `\\r` or `\\n`). A body ends only at a
boundary line of an enclosing multipart; those are searched for directly (one regular
expression per boundary, starting with a literal: C speed), so a body, a preamble or a
skipped part costs no Python step per line, whatever its lines look like.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.feedparser import FeedParser
from email.message import EmailMessage, Message
from typing import Any

MAX_PARTS = 1000  # parts read per message; the stdlib builds an object for each
HEADER_CHARS = 512 * 1024  # header block per part (a real 135 KB To: fits)
HEADER_FIELDS = 1000  # header fields per part
HEADER_CHARS_TOTAL = 4 * 1024 * 1024  # all header blocks together
OTHER_CHARS = 64 * 1024  # a preamble or epilogue piece (never shown)
TEXT_BUDGET = 16 * 1024 * 1024  # characters handed to the parser as text, in all
PIECE_BUDGET = 50_000  # pieces (lines, runs of lines) handed to the parser, in all
LONG_LINE = 1024 * 1024  # a longer line is read only as far as a boundary could reach
PLACEHOLDER = "[kept in the raw message]"

_EOL = re.compile(rb"\r\n|\r|\n")
_SPACE_TO_EOL = re.compile(rb"[ \t]*(?:\r\n|\r|\n)?")
# The stdlib's `feedparser.headerRE`, on bytes (8-bit bytes are outside both ranges alike).
_HEADER_LINE = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")
# How the stdlib's end-of-part check for a boundary is written (feedparser, 3.11), around
# re.escape("--" + boundary); the boundary is read back from it.
_SEP_PREFIX = "(?P<sep>"
_SEP_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Header lines (headerRE) in a row, and continuation lines in a row, read at C speed
# (possessive: a plain `*` keeps backtracking state for every line, 200 bytes each).
_HEADER_RUN = re.compile(rb"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\r\n]*(?:\r\n|\r|\n))*+")
_CONTINUATIONS = re.compile(rb"(?:[\t ][^\r\n]*(?:\r\n|\r|\n))*+")

HEADERS, LEAF, OTHER = "headers", "leaf", "other"
_MISSING = object()


_PARSED_ONCE = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})


class _Part(EmailMessage):
    """A MIME part that knows where it lies in the raw bytes."""

    span: tuple[int, int] | None = None  # the whole part: headers and body
    body_start: int | None = None  # where its body starts (after the header block)
    body_span: tuple[int, int] | None = None  # a leaf's body, left in the raw bytes

    def get(self, name: str, failobj: Any = None) -> Any:
        """A header, parsed once: `policy.default` parses it on every read (a Content-Type,
        read some ten times per part, costs ~0.1 ms each). Headers do not change once read."""
        key = name.lower()
        if key not in _PARSED_ONCE:
            return super().get(name, failobj)
        parsed = self.__dict__.setdefault("_parsed", {})
        if key not in parsed:
            value = super().get(name, _MISSING)
            if value is _MISSING:
                return failobj
            parsed[key] = value
        return parsed[key]


@dataclass
class Unread:
    """What of a message was not read (it is all in the raw message)."""

    too_deep: int = 0  # parts nested deeper than the limit
    too_many: int = 0  # parts past MAX_PARTS
    rest: bool = False  # the rest of the message, past the text budget
    headers: int = 0  # header fields past the bounds

    @property
    def parts(self) -> int:
        return self.too_deep + self.too_many


@dataclass
class Content:
    """A part's decoded body, or only its size when it is over the limit asked for."""

    data: bytes | None
    size: int  # exact when decoded, else estimated from the encoded size
    cut: bool = False  # `data` is a prefix (`prefix` was asked for)
    undecodable: bool = False  # base64 that cannot be decoded: `data` is as it came


@dataclass
class Reading:
    """The parsed tree and the raw bytes its bodies are read from."""

    message: Message
    raw: bytes
    unread: Unread = field(default_factory=Unread)

    def content(self, part: Message, *, limit: int, prefix: bool = False) -> Content:
        """The decoded body of a leaf `part`: whole when it is at most `limit` bytes; else
        its first `limit` bytes (`prefix`), or no data and the (estimated) size."""
        span = getattr(part, "body_span", None)
        if span is None:  # a body the parser kept as text (small: within the budgets)
            data = _stdlib_payload(part)
            if len(data) > limit:
                return (
                    Content(data[:limit], len(data), cut=True)
                    if prefix
                    else Content(None, len(data))
                )
            return Content(data, len(data))
        start, end = span
        cte = _cte(part)
        if cte == "base64":
            content = _base64(self.raw, start, end, limit, prefix)
            if content.data is not None and not content.cut:
                # as the stdlib notes it when it decodes: a body cut short of its padding
                breaks = self.raw.count(b"\n", start, end) + self.raw.count(b"\r", start, end)
                if content.undecodable:
                    part.defects.append(errors.InvalidBase64LengthDefect())
                elif (end - start - breaks) % 4:
                    part.defects.append(errors.InvalidBase64PaddingDefect())
            return content
        if cte == "quoted-printable":
            return _quoted_printable(self.raw, start, end, limit, prefix)
        if cte in ("x-uuencode", "uuencode", "uue", "x-uue"):
            if end - start > 2 * limit + 4096:  # uuencode is 4/3 of the data and more
                return Content(None, (end - start) * 3 // 4)
            data = _stdlib_payload(part, self.raw[start:end].decode("ascii", "surrogateescape"))
        else:  # 7bit, 8bit, binary or unknown: the bytes as they came
            if end - start > limit:
                if prefix:
                    return Content(self.raw[start : start + limit], end - start, cut=True)
                return Content(None, end - start)
            data = self.raw[start:end]
        if len(data) > limit:
            return (
                Content(data[:limit], len(data), cut=True) if prefix else Content(None, len(data))
            )
        return Content(data, len(data))

    def raw_body(self, part: Message, *, limit: int) -> Content:
        """A part's body as it was received, not decoded (an attached message, a delivery
        status): whole when it is at most `limit` bytes, else only its size."""
        span, start = getattr(part, "span", None), getattr(part, "body_start", None)
        if span is None or start is None:
            return Content(b"", 0)
        size = max(0, span[1] - start)
        if size > limit:
            return Content(None, size)
        return Content(self.raw[start : span[1]], size)


def _cte(part: Message) -> str:
    try:
        return str(part.get("content-transfer-encoding", "")).strip().lower()
    except Exception:
        return ""


def _stdlib_payload(part: Message, text: str | None = None) -> bytes:
    """What the stdlib decodes from a payload held as text."""
    if text is not None:
        part = _copy_for_decoding(part, text)
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _copy_for_decoding(part: Message, text: str) -> Message:
    copy = EmailMessage(policy=policy.default)
    copy["Content-Transfer-Encoding"] = _cte(part) or "7bit"
    copy.set_payload(text)
    return copy


def _base64(raw: bytes, start: int, end: int, limit: int, prefix: bool) -> Content:
    # Line breaks and spaces are no data; each 4 characters of the rest make 3 bytes.
    spaces = sum(raw.count(ch, start, end) for ch in (b"\n", b"\r", b" ", b"\t"))
    tail = raw[max(start, end - 16) : end].rstrip(b" \t\r\n")
    padding = len(tail) - len(tail.rstrip(b"="))
    estimate = max(0, (end - start - spaces) * 3 // 4 - padding)
    if estimate > limit + 3:
        if not prefix:
            return Content(None, estimate)
        # enough characters for `limit` bytes (4 per 3) and their line breaks
        needed = (limit // 3 + 1) * 4
        chars = raw[start : min(end, start + needed + needed // 8 + 1024)].translate(
            None, b" \t\r\n"
        )
        usable = min(len(chars), needed) // 4 * 4
        data, _undecodable = _b64decode(memoryview(chars)[:usable])
        return Content(data[:limit], estimate, cut=True)
    data, undecodable = _b64decode(memoryview(raw)[start:end])
    if len(data) > limit:  # the estimate was low (characters that are not base64)
        return Content(data[:limit], len(data), cut=True) if prefix else Content(None, len(data))
    return Content(data, len(data), undecodable=undecodable)


def _b64decode(encoded: bytes | memoryview) -> tuple[bytes, bool]:
    """As the stdlib decodes a base64 body: leniently, padding added when it is missing;
    the encoded bytes themselves (and True) when nothing helps."""
    try:
        return binascii.a2b_base64(encoded), False
    except (binascii.Error, ValueError):
        pass
    try:
        return binascii.a2b_base64(bytes(encoded) + b"=="), False
    except (binascii.Error, ValueError):
        return bytes(encoded).translate(None, b"\r\n"), True


def _quoted_printable(raw: bytes, start: int, end: int, limit: int, prefix: bool) -> Content:
    # Each "=XX" (or soft line break "=\r\n") decodes to one byte or none, the rest as it is.
    at_least = (end - start) - 2 * raw.count(b"=", start, end) - raw.count(b"\r", start, end)
    if at_least > limit:
        if not prefix:
            return Content(None, at_least)
        stop = raw.rfind(b"\n", start, start + limit)
        data = binascii.a2b_qp(raw[start : stop + 1 if stop > start else start + limit])
        return Content(data[:limit], end - start, cut=True)
    data = binascii.a2b_qp(memoryview(raw)[start:end])
    if len(data) > limit:
        return Content(data[:limit], len(data), cut=True) if prefix else Content(None, len(data))
    return Content(data, len(data))


def _run_end(pattern: re.Pattern[bytes], raw: bytes, pos: int) -> int:
    """Where a run of `pattern` (which matches empty, too) starting at `pos` ends."""
    found = pattern.match(raw, pos)
    return found.end() if found else pos


class _Finder:
    """The next place of `needle` at or after a position, remembered: positions mostly move
    forward, so each stretch of the raw bytes is searched once (`bytes.find`, memchr-fast)."""

    def __init__(self, raw: bytes, needle: bytes) -> None:
        self.raw = raw
        self.needle = needle
        self.since = 1 << 62  # searched from here …
        self.found = -1  # … and found here (-1: not at all)

    def next(self, pos: int) -> int:
        if not (self.since <= pos and (self.found < 0 or pos <= self.found)):
            self.since = pos
            self.found = self.raw.find(self.needle, pos)
        return self.found


class _PatternFinder(_Finder):
    """As `_Finder`, for a pattern (that starts with a literal, so it is searched fast)."""

    def __init__(self, raw: bytes, pattern: re.Pattern[bytes]) -> None:
        super().__init__(raw, b"")
        self.pattern = pattern

    def next(self, pos: int) -> int:
        if not (self.since <= pos and (self.found < 0 or pos <= self.found)):
            self.since = pos
            found = self.pattern.search(self.raw, pos)
            self.found = found.start() if found else -1
        return self.found


def _separator(ateof: Any) -> bytes | None:
    """The boundary line ("--" and the boundary) a stdlib end-of-part check looks for, as
    bytes; None for another check (a blank line ends a delivery-status block)."""
    pattern = getattr(getattr(ateof, "__self__", None), "pattern", None)
    if not (isinstance(pattern, str) and pattern.startswith(_SEP_PREFIX)):
        return None
    if not pattern.endswith(_SEP_SUFFIX):
        return None
    escaped = pattern[len(_SEP_PREFIX) : -len(_SEP_SUFFIX)]
    try:
        return _UNESCAPE.sub(r"\1", escaped).encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return None


class _Lines:
    """The parser's input (it stands in for `email.feedparser.BufferedSubFile`): pieces of
    the raw bytes, as the parser asks for them, within the budgets."""

    def __init__(self, raw: bytes, start: int, parser: _Parser) -> None:
        self.raw = raw
        self.pos = start
        self.end = len(raw)
        self.parser = parser
        self.mode = HEADERS
        self._lf = _Finder(raw, b"\n")
        self._cr = _Finder(raw, b"\r")
        self._eofstack: list[Any] = []
        self._separators: list[bytes | None] = []  # what each end-of-part check looks for
        self._boundary_finders: dict[
            bytes, tuple[re.Pattern[bytes], _PatternFinder, _PatternFinder]
        ] = {}
        self._recent: list[tuple[str, int]] = []  # pieces handed out, for unreadline
        self._pending: list[str] = []  # unread pieces that cannot be read again from raw
        self.part_header_chars = 0
        self.part_header_fields = 0
        self.header_chars = 0
        self.text_chars = 0
        self.pieces = 0

    # --- what BufferedSubFile offers ------------------------------------------------------

    def push_eof_matcher(self, pred: Any) -> None:
        self._eofstack.append(pred)
        self._separators.append(_separator(pred))

    def pop_eof_matcher(self) -> Any:
        self._separators.pop()
        return self._eofstack.pop()

    def close(self) -> None:
        pass  # everything is there from the start

    def push(self, data: str) -> None:  # pragma: no cover (the parser is never fed)
        raise NotImplementedError

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if line == "":
            raise StopIteration
        return line

    def unreadline(self, line: str) -> None:
        for index in range(len(self._recent) - 1, -1, -1):
            piece, offset = self._recent[index]
            if piece is line:
                del self._recent[index:]
                self.pos = offset
                return
        self._pending.append(line)

    def readline(self) -> str:
        if self._pending:
            return self._checked(self._pending.pop(), None)
        if self.pos >= self.end or self.parser.unread.rest:
            return ""
        if self.mode == HEADERS:
            return self._header_line()
        if self.mode == LEAF and self._only_boundaries():
            return self._leaf_body()
        return self._other()

    # --- the parts ------------------------------------------------------------------------

    @property
    def offset(self) -> int:
        """Where the next piece the parser reads starts."""
        return self.pos

    def part_end(self) -> int:
        """Where the part just read ends: here, less the line break that belongs to the
        boundary after it."""
        end = self.pos
        if self._eofstack:
            if self.raw.endswith(b"\r\n", 0, end):
                end -= 2
            elif self.raw.endswith((b"\n", b"\r"), 0, end):
                end -= 1
        return end

    def start_part(self) -> None:
        self.mode = HEADERS
        self.part_header_chars = 0
        self.part_header_fields = 0

    def _hand_out(self, piece: str, offset: int | None) -> str:
        """Count a piece against the budgets; past them, the rest of the message is unread."""
        self.pieces += 1
        self.text_chars += len(piece)
        if self.pieces > PIECE_BUDGET or self.text_chars > TEXT_BUDGET:
            self.parser.unread.rest = True
            return ""
        if offset is not None:
            self._recent.append((piece, offset))
            if len(self._recent) > 8:
                del self._recent[:4]
        return piece

    def _checked(self, piece: str, offset: int | None) -> str:
        """The piece, or "" where the parser's end-of-part check says its part ends (the
        piece is then read again by the part around it)."""
        for ateof in reversed(self._eofstack):
            if ateof(piece):
                if offset is None:
                    self._pending.append(piece)
                else:
                    self.pos = offset
                return ""
        return self._hand_out(piece, offset)

    def _line_end(self, pos: int) -> int:
        """Where the line that starts at `pos` ends (after its line break)."""
        lf, cr = self._lf.next(pos), self._cr.next(pos)
        if cr < 0 or 0 <= lf < cr:
            return self.end if lf < 0 else lf + 1
        return cr + 2 if lf == cr + 1 else cr + 1

    def _text(self, start: int, end: int) -> str:
        return self.raw[start:end].decode("ascii", "surrogateescape")

    def _line(self, start: int, end: int) -> str:
        """One line as text; a very long one only as far as a boundary line could reach
        (the rest is spaces up to the line end, or it cannot be a boundary)."""
        if end - start <= LONG_LINE:
            return self._text(start, end)
        head = self._text(start, start + LONG_LINE)
        rest = _SPACE_TO_EOL.match(self.raw, start + LONG_LINE, end)
        if rest is None or rest.end() != end:
            return head  # no line end: no boundary pattern matches it
        eol = _EOL.search(self.raw, start + LONG_LINE, end)
        return head.rstrip(" \t") + (self._text(eol.start(), end) if eol else "")

    def _header_line(self) -> str:
        while self.pos < self.end:
            start = self.pos
            end = self._line_end(start)
            if not _HEADER_LINE.match(self.raw, start, end):
                # the end of the header block: a blank line, or the body's first line
                self.pos = end
                return self._checked(self._line(start, min(end, start + OTHER_CHARS)), start)
            if self._ends_part(start):
                return ""  # a boundary that looks like a header field ("--=_Part:1")
            room = min(
                HEADER_CHARS - self.part_header_chars, HEADER_CHARS_TOTAL - self.header_chars
            )
            if self.part_header_fields >= HEADER_FIELDS or room <= 0:
                self._skip_header_lines(start)  # past the bounds: dropped
                continue
            # a field with its continuation lines, as one piece (an mbox "From " line alone)
            stop = end
            if not self.raw.startswith(b"From ", start):
                stop = _run_end(_CONTINUATIONS, self.raw, end)
            self.pos = stop
            if stop - start > room:  # cut, with the line end the parser expects
                piece = self._text(start, start + room).rstrip("\r\n") + "\r\n"
            else:
                piece = self._text(start, stop)
            self.part_header_chars += len(piece)
            self.header_chars += len(piece)
            self.part_header_fields += 1
            return self._hand_out(piece, start)
        return ""

    def _skip_header_lines(self, start: int) -> None:
        """Drop the header lines from `start` on, up to the end of the block (or a boundary
        line that looks like a header), in one match."""
        first_end = self._line_end(start)  # the first line is no boundary (checked)
        stop = max(_run_end(_HEADER_RUN, self.raw, start), first_end)
        if self._only_boundaries():
            stop = min(stop, self._next_boundary(first_end))
        self.parser.unread.headers += self.raw.count(b"\n", start, stop) or 1
        self.pos = stop

    def _only_boundaries(self) -> bool:
        """Whether every end-of-part check looks for a boundary we know (a boundary line
        starts with "--" and the boundary); a message/delivery-status block ends at a blank
        line instead, and is read line by line."""
        return None not in self._separators

    def _finders(
        self, separator: bytes
    ) -> tuple[re.Pattern[bytes], _PatternFinder, _PatternFinder]:
        """A boundary line of `separator` (with "--" for the last, spaces, its line break),
        and finders of such a line after a line break (LF or CR)."""
        found = self._boundary_finders.get(separator)
        if found is None:
            line = re.escape(separator) + rb"(?:--)?[ \t]*(?:\r\n|\r|\n|\Z)"
            found = (
                re.compile(line),
                _PatternFinder(self.raw, re.compile(b"\n" + line)),
                _PatternFinder(self.raw, re.compile(b"\r" + line)),
            )
            self._boundary_finders[separator] = found
        return found

    def _next_boundary(self, pos: int, extra: bytes | None = None) -> int:
        """The start of the first boundary line (of the enclosing multiparts, and `extra`)
        at or after `pos`, a line start; or the end. Lines that only start with "--" are
        passed over at C speed."""
        best = self.end
        for separator in {*self._separators, extra} - {None}:
            line, after_lf, after_cr = self._finders(separator)  # type: ignore[arg-type]
            if line.match(self.raw, pos):
                return pos
            for finder in (after_lf, after_cr):
                found = finder.next(pos)
                if 0 <= found < best - 1:
                    best = found + 1
        return best

    def _ends_part(self, start: int) -> bool:
        line = self._line(start, self._line_end(start))
        return any(ateof(line) for ateof in self._eofstack)

    def _scan(self, pos: int, *, siblings: bool = False) -> tuple[int, int]:
        """From `pos`, the start of the line that ends the current part (or the end), and
        about how many parts start on the way. `siblings`: go on past the boundaries of the
        enclosing multipart that start its next parts, up to its closing one."""
        start = pos
        while pos < self.end:
            if self._only_boundaries():
                candidate = self._next_boundary(pos)
            elif self._ends_part(pos):  # a blank line may end the part: line by line
                candidate = pos
            else:
                pos = self._line_end(pos)
                continue
            if candidate >= self.end:
                break
            line_end = self._line_end(candidate)
            ends = [ateof(self._line(candidate, line_end)) for ateof in reversed(self._eofstack)]
            if any(ends):
                found = ends[0]
                if not (siblings and found and hasattr(found, "group") and not found.group("end")):
                    return candidate, self._parts_between(start, candidate)
            pos = line_end
        return self.end, self._parts_between(start, self.end)

    def _parts_between(self, start: int, stop: int) -> int:
        """About how many parts start between `start` and `stop`: lines that start with
        "--" (a boundary) less those that also end with it (a closing boundary)."""
        if stop <= start:
            return 0
        raw = self.raw
        starts = raw.count(b"\n--", start, stop) + raw.count(b"\r--", start, stop)
        starts += raw.startswith(b"--", start)
        closings = raw.count(b"--\n", start, stop) + raw.count(b"--\r", start, stop)
        return max(0, starts - closings)

    def _leaf_body(self) -> str:
        """A leaf's body: its place is kept, the parser gets a placeholder."""
        start = self.pos
        stop, _inner = self._scan(start)
        self.mode = OTHER
        end = stop
        if self._eofstack:  # in a multipart the parser drops the body's last line break
            if self.raw.endswith(b"\r\n", start, end):
                end -= 2
            elif self.raw.endswith((b"\n", b"\r"), start, end):
                end -= 1
        self.parser.body_found(start, end)
        self.pos = stop
        if stop == start:
            return ""
        return self._hand_out(PLACEHOLDER, None)

    def _other(self) -> str:
        """Preamble, epilogue, boundary lines: a boundary line alone, else the lines up to
        the next one (cut short: nobody reads them), or one line where a blank line may
        end the part."""
        start = self.pos
        if not self._only_boundaries() or self.parser.reads_lines():
            end = self._line_end(start)
            self.pos = end
            return self._checked(self._line(start, min(end, start + OTHER_CHARS)), start)
        stop = self._next_boundary(start, self.parser.own_separator())
        if stop == start:
            end = self._line_end(start)
            self.pos = end
            return self._checked(self._line(start, end), start)
        self.pos = stop
        if stop - start > OTHER_CHARS:
            return self._hand_out(self._text(start, start + OTHER_CHARS), start)
        return self._hand_out(self._text(start, stop), start)

    def skip_part(self, *, siblings: bool = False) -> int:
        """Skip what is left of the current part (and, `siblings`, the parts after it in
        the same multipart); how many parts that was, besides this one."""
        stop, inner = self._scan(self.pos, siblings=siblings)
        self.pos = stop
        return inner


class _Parser(FeedParser):
    """The stdlib's parser over `_Lines`, with a depth and a part limit."""

    # FeedParser's own state (private, so not in typeshed)
    _cur: Any
    _msgstack: list[Any]

    def __init__(self, raw: bytes, start: int, max_depth: int) -> None:
        super().__init__(_Part, policy=policy.default)
        self.unread = Unread()
        self._input: _Lines = _Lines(raw, start, self)  # type: ignore[assignment]
        self.max_depth = max_depth
        self.depth = 0
        self.parts = 0
        self._line_parts: set[int] = set()

    def _parsegen(self):  # type: ignore[no-untyped-def]
        self.depth += 1
        try:
            self.parts += 1
            start = self._input.offset
            if self.depth > self.max_depth + 1 or self.parts > MAX_PARTS:
                yield from self._skip()
                return
            self._input.start_part()
            yield from super()._parsegen()
            self._msgstack[-1].span = (start, self._input.part_end())
            self._input.mode = OTHER  # what follows is the enclosing part's
        finally:
            self.depth -= 1

    def _skip(self):  # type: ignore[no-untyped-def]
        """A part not read: an empty stand-in for the parser to close, not attached."""
        self._new_message()
        stand_in = self._msgstack[-1]
        if len(self._msgstack) > 1:
            parent = self._msgstack[-2]
            if isinstance(parent._payload, list) and parent._payload[-1:] == [stand_in]:
                parent._payload.pop()
        too_deep = self.depth > self.max_depth + 1
        inner = self._input.skip_part(siblings=not too_deep)
        self._input.mode = OTHER
        if too_deep:
            self.unread.too_deep += 1 + inner
        else:
            self.unread.too_many += 1 + inner
        yield from ()  # a generator, as the parser expects

    def _parse_headers(self, lines: list[str]) -> None:
        super()._parse_headers(lines)  # type: ignore[misc]
        self._cur.body_start = self._input.offset
        self._input.mode = self._body_mode(self._cur)

    def own_separator(self) -> bytes | None:
        """The boundary line ("--" and the boundary) of the multipart being read."""
        part = self._cur
        if part is None:
            return None
        if "_separator" not in part.__dict__:
            try:
                boundary = (
                    part.get_boundary() if part.get_content_maintype() == "multipart" else None
                )
                part._separator = (
                    ("--" + boundary).encode("ascii", "surrogateescape") if boundary else None
                )
            except Exception:
                part._separator = None
        return part._separator  # type: ignore[no-any-return]

    def reads_lines(self) -> bool:
        """Whether the parser reads the current part line by line (a delivery status: header
        blocks that blank lines separate)."""
        return self._cur is not None and id(self._cur) in self._line_parts

    def _body_mode(self, part: Message) -> str:
        try:
            maintype = part.get_content_maintype()
            if part.get_content_type() == "message/delivery-status":
                self._line_parts.add(id(part))
                return OTHER
            if maintype == "message":
                return OTHER  # an inner message: its headers next
            if maintype == "multipart" and part.get_boundary() is not None:
                return OTHER  # preamble, then boundaries
        except Exception:  # noqa: S110 (a header the stdlib cannot read: the body is a leaf)
            pass
        return LEAF

    def body_found(self, start: int, end: int) -> None:
        self._cur.body_span = (start, end)


def read(raw: bytes, *, start: int = 0, max_depth: int) -> Reading:
    """The message in `raw` (from `start`), parsed within the bounds above."""
    parser = _Parser(raw, start, max_depth)
    message = parser.close()
    return Reading(message=message, raw=raw, unread=parser.unread)
