"""HTML from e-mail: its text, and a sanitised copy made once, at intake, in bounded time.

nh3 (html5ever and ammonia) is safe but not cheap on hostile HTML: its time grows with the
square of the nesting depth (200,000 unclosed `<div>`s in a 1 MB mail: minutes) and of the
number of attributes on one tag, and the stdlib `html.parser` (3.11) is quadratic on runs of
unfinished constructs (`<a<a<a…`, `<!--<!--…`). So neither ever sees the customer's HTML as
it came: one linear pass here (a small tokenizer on regular expressions, each step moving
forward) rewrites it as HTML nh3 will read exactly so —

- only the tags nh3 keeps, with only the attributes it keeps (first of each name);
- every element closed, paragraphs, list items and table cells closed where a browser would
  close them, stray end tags dropped;
- text and attribute values escaped; comments, doctypes, scripts, styles, titles dropped;
- at most `MAX_DEPTH` elements open at once: deeper HTML is not kept at all (`Cleaned.problem`),
  the caller keeps the text instead.

The same pass collects the plain text (for mail without a text part), bounded in size.
nh3 then sanitises the rewritten HTML (no scripts, handlers, images or `javascript:` links);
its result is stored with the event and shown as it is (`SANITISER` marks it).
"""

from __future__ import annotations

import contextlib
import html as html_lib
import re
from dataclasses import dataclass

import nh3

# Stored with the sanitised HTML: the timeline shows HTML as it is only when it carries this
# mark. Change it when the rules below change (and re-clean stored HTML in a migration).
SANITISER = "nh3-bounded-1"
MAX_DEPTH = 200  # open elements at once; real mail nests 20-60 deep, nh3 costs depth squared
MAX_QUOTE_PREFIX = 10  # "> " levels written before quoted lines in the text
# HTML shown to agents: nh3's safe defaults without images (remote images are trackers;
# inline images are stored as attachments).
HTML_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img"}
HTML_URL_SCHEMES = {"http", "https", "mailto", "tel"}
GENERIC_ATTRIBUTES = frozenset({"lang", "title"})  # what ammonia keeps on every tag
ATTRIBUTES = {
    tag: frozenset(names) | GENERIC_ATTRIBUTES for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
}
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr", "keygen", "basefont", "bgsound",
                  "frame"})  # fmt: skip
RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "title",
                      "textarea"})  # fmt: skip
DROPPED_CONTENT = frozenset({"script", "style", "title"})
HIDDEN = frozenset({"template", "head"})  # their text is not the message's text
HEAD_TAGS = frozenset({"meta", "link", "style", "script", "title", "base", "noscript",
                       "template", "basefont", "bgsound"})  # fmt: skip
BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article",
                    "header", "footer"})  # fmt: skip
# Start tags that end an open paragraph (HTML's tree construction, "close a p element").
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "center", "details",
                      "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure",
                      "footer", "header", "hgroup", "main", "menu", "nav", "ol", "p",
                      "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
                      "listing", "form", "table", "hr", "xmp", "li", "dd", "dt"})  # fmt: skip
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SCOPE = frozenset({"table", "td", "th", "caption", "html", "template", "object", "marquee"})
# Elements a list item or definition does not look past for an open one to close.
LIST_BARRIERS = frozenset({"ul", "ol", "dl", "table", "td", "th", "blockquote", "section",
                           "article", "aside", "nav", "header", "footer", "figure",
                           "details", "caption"})  # fmt: skip
TABLE_PARTS = {
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "tr": frozenset({"tr"}),
    "tbody": frozenset({"tbody", "thead", "tfoot"}),
    "thead": frozenset({"tbody", "thead", "tfoot"}),
    "tfoot": frozenset({"tbody", "thead", "tfoot"}),
}

_SPACE = "\t\n\f\r "
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
# One attribute (name, then a value in double, single or no quotes), or the tag's end.
_ATTRIBUTE = re.compile(
    r"[\t\n\f\r /]*(?:(>)|([^\t\n\f\r />][^\t\n\f\r /=>]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"([^\"]*)(\"?)|'([^']*)('?)|([^\t\n\f\r >]*)))?)"
)
_COMMENT_END = re.compile(r"--!?>")
_RAW_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in RAW_TEXT
}
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_.:-]*$")


@dataclass(frozen=True)
class Cleaned:
    """The outcome of `clean`: sanitised HTML ("" when it was not kept, `problem` says why)
    and the text of the HTML (when asked for)."""

    html: str
    text: str
    problem: str = ""


class _Done(Exception):
    """Nothing more is wanted from the HTML."""


class _Builder:
    """Receives tokens; writes balanced, bounded HTML and collects the text."""

    def __init__(self, *, keep_html: bool, want_text: bool, max_text: int) -> None:
        self.keep_html = keep_html
        self.want_text = want_text
        self.max_text = max_text
        self.out: list[str] = []
        self.stack: list[str] = []
        self.too_deep = False
        self.parts: list[str] = []
        self.text_chars = 0
        self.hidden = 0
        self.in_head = False
        self.quote = 0

    # --- html -----------------------------------------------------------------------------

    def _pop_to(self, index: int) -> None:
        while len(self.stack) > index:
            self.out.append(f"</{self.stack.pop()}>")

    def _find(self, names: frozenset[str], barriers: frozenset[str]) -> int:
        """Index of the nearest open element named in `names`, not looking past `barriers`;
        -1 when there is none."""
        for index in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[index]
            if tag in names:
                return index
            if tag in barriers:
                return -1
        return -1

    def _implied_end(self, tag: str) -> int:
        """Where a browser closes open elements before `tag` opens (a new paragraph, item or
        cell ends the one before): the stack index to close down to, -1 for none."""
        if tag == "li":
            return self._find(frozenset({"li"}), LIST_BARRIERS)
        if tag in ("dd", "dt"):
            return self._find(frozenset({"dd", "dt"}), LIST_BARRIERS)
        if tag == "a":
            return self._find(frozenset({"a"}), SCOPE)
        if tag in TABLE_PARTS:
            names = TABLE_PARTS[tag] | (TABLE_PARTS["td"] if tag == "tr" else frozenset())
            return self._find(names, frozenset({"table"}))
        return -1

    def _open(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        if tag in CLOSES_P and (index := self._find(frozenset({"p"}), SCOPE)) >= 0:
            self._pop_to(index)
        if tag in HEADINGS and self.stack and self.stack[-1] in HEADINGS:
            self._pop_to(len(self.stack) - 1)
        if (index := self._implied_end(tag)) >= 0:
            self._pop_to(index)
        allowed = ATTRIBUTES.get(tag, GENERIC_ATTRIBUTES)
        kept: dict[str, str] = {}
        for name, value in attrs:
            if name in allowed and name not in kept:
                kept[name] = value
        written = "".join(
            f' {name}="{html_lib.escape(value, quote=True)}"' for name, value in kept.items()
        )
        if tag in VOID:
            self.out.append(f"<{tag}{written}>")
            return
        if len(self.stack) >= MAX_DEPTH:
            self.too_deep = True
            self.keep_html = False
            if not self.want_text:
                raise _Done  # nothing more to read
            return
        self.stack.append(tag)
        self.out.append(f"<{tag}{written}>")

    def _close(self, tag: str) -> None:
        if tag == "br":  # `</br>` is a line break in every browser
            self.out.append("<br>")
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] == tag:
                self._pop_to(index)
                return

    # --- text -----------------------------------------------------------------------------

    def _add_text(self, value: str) -> None:
        if self.text_chars > self.max_text:
            if not self.keep_html:
                raise _Done  # the text is full, and no HTML is kept
            return
        value = value[: self.max_text + 1 - self.text_chars]  # one more: the reader sees the cut
        self.parts.append(value)
        self.text_chars += len(value)

    # --- tokens ---------------------------------------------------------------------------

    def start(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        if self.in_head and (tag == "body" or tag not in HEAD_TAGS):
            self.in_head = False
            self.hidden = max(0, self.hidden - 1)
        if tag == "head":
            if not self.in_head:
                self.in_head = True
                self.hidden += 1
            return
        if tag == "template":
            self.hidden += 1
        if self.want_text:
            if tag == "blockquote":
                self.quote += 1
                self._add_text("\n")
            elif tag in BLOCKS:
                self._add_text("\n")
        if self.keep_html and tag in HTML_TAGS:
            self._open(tag, attrs)

    def end(self, tag: str) -> None:
        if tag == "head":
            if self.in_head:
                self.in_head = False
                self.hidden = max(0, self.hidden - 1)
            return
        if tag == "template":
            self.hidden = max(0, self.hidden - 1)
        if self.want_text:
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
                self._add_text("\n")
            elif tag in BLOCKS:
                self._add_text("\n")
        if self.keep_html and tag in HTML_TAGS:
            self._close(tag)

    def data(self, value: str) -> None:
        if self.hidden or not value:
            return
        if self.keep_html:
            self.out.append(html_lib.escape(value, quote=False))
        if self.want_text:
            if self.quote:
                prefix = "> " * min(self.quote, MAX_QUOTE_PREFIX)
                value = value.replace("\n", "\n" + prefix)
                if not self.parts or self.parts[-1].endswith("\n"):
                    value = prefix + value
            self._add_text(value)

    def finish(self) -> None:
        if self.keep_html:
            self._pop_to(0)

    @property
    def text(self) -> str:
        text = "".join(self.parts).replace("\xa0", " ")
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _tokenize(source: str, builder: _Builder) -> None:
    """Feed `builder` the tokens of `source`, as an HTML5 tokenizer reads them (simplified;
    what matters is that every step moves forward, so the time is linear)."""
    pos, end = 0, len(source)
    while pos < end:
        lt = source.find("<", pos)
        if lt < 0:
            builder.data(html_lib.unescape(source[pos:]))
            return
        if lt > pos:
            builder.data(html_lib.unescape(source[pos:lt]))
        pos = lt
        following = source[pos + 1 : pos + 2]
        if following.isascii() and following.isalpha():
            pos = _tag(source, pos + 1, builder, is_end=False)
        elif following == "/":
            after = source[pos + 2 : pos + 3]
            if after.isascii() and after.isalpha():
                pos = _tag(source, pos + 2, builder, is_end=True)
            elif after == ">":
                pos += 3
            else:
                pos = _skip_to_gt(source, pos + 2)
        elif following == "!":
            if source.startswith("<!--", pos):
                if source.startswith(">", pos + 4):  # <!-->
                    pos += 5
                elif source.startswith("->", pos + 4):  # <!--->
                    pos += 6
                else:
                    found = _COMMENT_END.search(source, pos + 4)
                    pos = found.end() if found else end
            else:
                pos = _skip_to_gt(source, pos + 2)
        elif following == "?":
            pos = _skip_to_gt(source, pos + 1)
        else:
            builder.data("<")
            pos += 1


def _read(source: str, builder: _Builder) -> None:
    with contextlib.suppress(_Done):  # the builder has all it wants
        _tokenize(source, builder)
    builder.finish()


def _skip_to_gt(source: str, pos: int) -> int:
    found = source.find(">", pos)
    return len(source) if found < 0 else found + 1


def _tag(source: str, pos: int, builder: _Builder, *, is_end: bool) -> int:
    """Read a tag whose name starts at `pos`; return where reading goes on."""
    name_match = _TAG_NAME.match(source, pos)
    name = name_match.group(0).lower() if name_match else ""
    pos = name_match.end() if name_match else pos
    attrs: list[tuple[str, str]] = []
    end = len(source)
    while True:
        if pos >= end:
            return end  # a tag cut off by the end of the HTML is no tag
        found = _ATTRIBUTE.match(source, pos)
        if found is None:  # only spaces and slashes up to the end
            return end
        pos = found.end()
        if found.group(1):
            break
        attribute = found.group(2).lower()
        if found.group(3) is not None:
            if not found.group(4):
                return end  # an unclosed quote runs to the end: no tag
            value = found.group(3)
        elif found.group(5) is not None:
            if not found.group(6):
                return end
            value = found.group(5)
        else:
            value = found.group(7) or ""
        if not is_end and _ATTRIBUTE_NAME.match(attribute):
            attrs.append((attribute, html_lib.unescape(value)))
    if is_end:
        builder.end(name)
        return pos
    builder.start(name, attrs)
    if name in RAW_TEXT:
        closing = _RAW_END[name].search(source, pos)
        stop = closing.start() if closing else end
        if name not in DROPPED_CONTENT:
            content = source[pos:stop]
            builder.data(html_lib.unescape(content) if name == "textarea" else content)
        builder.end(name)
        return _skip_to_gt(source, stop) if closing else end
    if name == "plaintext":
        builder.data(source[pos:])
        return end
    return pos


def clean(source: str, *, want_text: bool, max_chars: int, max_text: int = 200_000) -> Cleaned:
    """Sanitised HTML of `source` (bounded: see the module's docstring) and, if `want_text`,
    its text. A `source` over `max_chars`, HTML nested deeper than `MAX_DEPTH` or a result
    over `max_chars` keep no HTML; `problem` says why (for the message's notes)."""
    keep = len(source) <= max_chars
    builder = _Builder(keep_html=keep, want_text=want_text, max_text=max_text)
    if keep or want_text:
        _read(source if keep else source[:max_chars], builder)
    text = builder.text if want_text else ""
    if not keep:
        return Cleaned("", text, f"HTML body over {max_chars} characters: only its text is kept")
    if builder.too_deep:
        return Cleaned(
            "", text, f"HTML nested deeper than {MAX_DEPTH} elements: only its text is kept"
        )
    rewritten = "".join(builder.out)
    if len(rewritten) > 2 * max_chars:
        return Cleaned("", text, f"HTML body over {max_chars} characters: only its text is kept")
    sanitised = nh3.clean(
        rewritten,
        tags=set(HTML_TAGS),
        clean_content_tags={"script", "style", "title"},
        url_schemes=HTML_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    if len(sanitised) > max_chars:
        return Cleaned("", text, f"HTML body over {max_chars} characters: only its text is kept")
    return Cleaned(sanitised, text)


def html_to_text(source: str, *, max_text: int = 200_000) -> str:
    """The plain text of an HTML body (for mail that has no text part), in linear time."""
    builder = _Builder(keep_html=False, want_text=True, max_text=max_text)
    _read(source, builder)
    return builder.text
