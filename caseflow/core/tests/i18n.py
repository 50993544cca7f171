"""Pure-Python checks behind test_translations.py: what each app asks to translate (as Django's
makemessages extracts it), which user-facing literals are left unmarked, and whether the
catalogues hold every msgid, translated, with the same placeholders.

Every function takes the folder of one app (or the package), so the tests run them on the real
apps and on small synthetic ones. Each finding is one line naming the file and line (or the
catalogue and msgid). See docs/translations.md.
"""

from __future__ import annotations

import ast
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract
from django.template.base import DebugLexer, TokenType
from django.utils.translation.template import templatize

from caseflow.core.catalogues import read_po

# The translation functions and where their strings are, as makemessages tells xgettext
# (xgettext's own Python keywords plus Django's): None = the first argument; 'c' = context.
KEYWORDS: dict[str, tuple | None] = {
    "_": None,
    "gettext": None,
    "ugettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ungettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "dgettext": (2,),
    "dngettext": (2, 3),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# Folders makemessages is told to skip (scripts/messages), and what it never reads.
SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}
TEMPLATE_SUFFIXES = {".html", ".txt"}


@dataclass(frozen=True)
class Msg:
    """One string to translate: (context, msgid, msgid_plural) and where it was found."""

    msgid: str
    context: str | None = None
    plural: str | None = None

    def __lt__(self, other: Msg) -> bool:
        return self._key() < other._key()

    def _key(self) -> tuple[str, str, str]:
        return self.msgid, self.context or "", self.plural or ""

    def describe(self) -> str:
        text = repr(self.msgid)
        if self.plural is not None:
            text += f" / plural {self.plural!r}"
        if self.context:
            text += f" (context {self.context!r})"
        return text


def _walk(app: Path, suffixes: set[str]) -> Iterator[Path]:
    for path in sorted(app.rglob("*")):
        relative = path.relative_to(app).parts
        if (
            path.suffix in suffixes
            and not SKIPPED_DIRS.intersection(relative[:-1])
            and path.is_file()
        ):
            yield path


def python_files(app: Path) -> list[Path]:
    return list(_walk(app, {".py"}))


def template_files(app: Path) -> list[Path]:
    return list(_walk(app, TEMPLATE_SUFFIXES))


def relative(path: Path) -> str:
    """`caseflow/<app>/…` for a real file, the path as given otherwise."""
    parts = path.parts
    if "caseflow" in parts:
        return "/".join(parts[len(parts) - parts[::-1].index("caseflow") - 1 :])
    return str(path)


# --- extraction --------------------------------------------------------------------------------
def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _msg_from_args(spec: tuple | None, strings: list[str | None]) -> Msg | None:
    """Apply a keyword spec (Babel's form) to a call's positional arguments; None when an
    argument it names is not a literal string (xgettext extracts nothing then either)."""
    spec = spec or (1,)
    context, ids = None, []
    for index in spec:
        if isinstance(index, tuple):
            position, _kind = index
            if position > len(strings) or strings[position - 1] is None:
                return None
            context = strings[position - 1]
        else:
            if index > len(strings) or strings[index - 1] is None:
                return None
            ids.append(strings[index - 1])
    if not ids or not ids[0]:
        return None
    return Msg(ids[0], context, ids[1] if len(ids) > 1 else None)


def _in_fstrings(tree: ast.AST) -> set[int]:
    """The nodes inside f-strings: xgettext (so makemessages) does not look there."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
        if inner is not node
    }


def extract_python(path: Path) -> list[tuple[int, Msg]]:
    """The (line, message) pairs of the translation calls in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    hidden = _in_fstrings(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden or not isinstance(node, ast.Call):
            continue
        if (msg := _literal_msg(node)) is not None:
            found.append((node.lineno, msg))
    return sorted(found)


def _literal_msg(node: ast.Call) -> Msg | None:
    """The message of a translation call with literal strings, None for any other call."""
    name = _call_name(node)
    if name not in KEYWORDS:
        return None
    strings = [
        arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        for arg in node.args
    ]
    return _msg_from_args(KEYWORDS[name], strings)


def extract_template(path: Path) -> list[tuple[int, Msg]]:
    """The (line, message) pairs of a template, as makemessages reads it: Django's templatize
    turns `{% translate %}`, `{% blocktranslate %}` (variables as `%(name)s`, `trimmed`,
    `count`, `context`) and `_("…")` into gettext calls, read here by Babel's Python reader."""
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # In brackets, Python's tokenizer ignores the indentation of the blanked-out markup.
    source = "(\n" + source + "\n)"
    found = []
    for lineno, message, _comments, context in extract(
        "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS, comment_tags=()
    ):
        lineno -= 1
        if isinstance(message, tuple):
            msg = Msg(message[0], context, message[1])
        else:
            msg = Msg(message, context)
        if msg.msgid:
            found.append((lineno, msg))
    return sorted(found)


def extract_app(app: Path) -> dict[Msg, str]:
    """Every message of an app (its Python modules and templates, not tests or migrations),
    with the first place it is used."""
    messages: dict[Msg, str] = {}
    for path in python_files(app):
        for line, msg in extract_python(path):
            messages.setdefault(msg, f"{relative(path)}:{line}")
    for path in template_files(app):
        for line, msg in extract_template(path):
            messages.setdefault(msg, f"{relative(path)}:{line}")
    return messages


# --- catalogues ---------------------------------------------------------------------------------
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
_PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
_BRACE = re.compile(r"\{\{|\}\}|\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str) -> Counter[str]:
    """`%(name)s`, `%s`, `%d` and `{name}`/`{}` in a string, without `%%`, `{{` and `}}`."""
    found: Counter[str] = Counter()
    for match in _PRINTF.finditer(text):
        if match["conv"] != "%":
            found[match.group(0)] += 1
    for match in _BRACE.finditer(text):
        if match.group(0) not in ("{{", "}}"):
            found["{" + match.group(1) + "}"] += 1
    return found


def _show(found: Counter[str]) -> str:
    return ", ".join(sorted(found.elements())) or "none"


def catalogue_findings(app: Path, language: str, domain: str = "django") -> list[str]:
    """What the app's catalogue for `language` lacks: one line per missing, empty or fuzzy
    msgid and per placeholder that differs between msgid and translation."""
    wanted = extract_app(app)
    if not wanted:
        return []
    po = app / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
    name = f"{app.name}/{language}"
    if not po.exists():
        return [f"{name}: {relative(po)} is missing ({len(wanted)} msgids to translate)"]
    catalog = read_po(po)
    problems = []
    if catalog.plural_forms != PLURAL_FORMS:
        problems.append(f"{name}: Plural-Forms is {catalog.plural_forms!r}, not {PLURAL_FORMS!r}")
    for msg, where in sorted(wanted.items()):
        entry = catalog.get(msg.msgid, context=msg.context)
        label = f"{name}: {msg.describe()} ({where})"
        if entry is None:
            problems.append(f"{label}: missing")
            continue
        if entry.fuzzy:
            problems.append(f"{label}: fuzzy")
        ids = [msg.msgid] if msg.plural is None else [msg.msgid, msg.plural]
        strings = list(entry.string) if isinstance(entry.string, tuple) else [entry.string]
        if msg.plural is not None and not entry.pluralizable:
            problems.append(f"{label}: the catalogue's entry has no plural forms")
            continue
        if msg.plural is None and entry.pluralizable:
            problems.append(f"{label}: the catalogue's entry is a plural one, the source's is not")
            continue
        if msg.plural is not None and entry.id[1] != msg.plural:
            problems.append(f"{label}: the catalogue's plural is {entry.id[1]!r}")
        if len(strings) != len(ids) or not all(strings):
            problems.append(f"{label}: not translated" + (" (every form)" if msg.plural else ""))
            continue
        for form, (source, translated) in enumerate(zip(ids, strings, strict=True)):
            want, have = placeholders(source), placeholders(translated)
            if want != have:
                which = f" in form {form}" if msg.plural is not None else ""
                problems.append(
                    f"{label}: placeholders differ{which}: msgid has {_show(want)}, "
                    f"msgstr {translated!r} has {_show(have)}"
                )
    return problems


# --- unmarked literals in templates -----------------------------------------------------------
WORD = re.compile(r"[^\W\d_]{2,}")
# Text that is not language: the brand, keyboard keys, symbols, examples of our numbers.
ALLOWED_TEXT = {"Caseflow", "Ctrl", "Alt", "Shift", "Esc", "Enter", "Tab"}
ALLOWED_PATTERNS = (
    re.compile(r"(?:C|CU|RMA)-(?:\d{4}-)?[\d…]+"),  # C-2026-000123, CU-…: our numbers
    re.compile(r"E\.164"),
    re.compile(r"\b(?:hh|mm|ss)(?::(?:hh|mm|ss))+\b"),  # a time format hint, mm:ss
    re.compile(r"\bISO \d+(?:-\d+)?"),  # a standard's name: ISO 3166-1
)
# A chunk of text that is only CSS classes or ids (`{% block body_class %}desk-login{% … %}`).
_IDENTIFIERS = re.compile(r"\s*(?:[a-z0-9]+(?:[-_][a-z0-9]+)+\s*)+")
# Attributes people read (or hear); `value` only on buttons.
TEXT_ATTRIBUTES = {
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "alt",
    "label",
    "hx-confirm",
    "hx-prompt",
    "data-confirm",
}
BUTTON_TYPES = {"submit", "button", "reset"}
# Arguments of {% include … with %} / {% with %} that carry text for people.
TEXT_ARGUMENTS = {
    "label",
    "title",
    "text",
    "message",
    "heading",
    "hint",
    "help",
    "help_text",
    "legend",
    "caption",
    "placeholder",
    "confirm",
    "empty",
    "button",
}
_MASK = "\x1a"
_BLOCK_START = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
_SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", **_BLOCK_START}
_LITERAL_ARG = re.compile(r"""\b(\w+)=(?P<q>["'])(.*?)(?P=q)""")
_DEFAULT_FILTER = re.compile(r"""\|default(?:_if_none)?:(?P<q>["'])(.*?)(?P=q)""")


def _without_allowed(text: str) -> str:
    text = text.replace(_MASK, " ")
    for pattern in ALLOWED_PATTERNS:
        text = pattern.sub(" ", text)
    return text


def words(text: str) -> list[str]:
    """The words in `text` that make it language: allowed text and acronyms (SMS, IMAP) out."""
    return [
        word
        for word in WORD.findall(_without_allowed(text))
        if word not in ALLOWED_TEXT and not word.isupper()
    ]


class _TextFinder(HTMLParser):
    def __init__(self, report) -> None:
        super().__init__(convert_charrefs=True)
        self.report = report
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        line = self.getpos()[0]
        raw = self.get_starttag_text() or ""
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            people_read = name in TEXT_ATTRIBUTES or (
                name == "value"
                and (tag == "button" or (values.get("type") or "").lower() in BUTTON_TYPES)
            )
            if people_read and words(value):
                offset = raw.find(f"{name}=")
                shown = value.replace(_MASK, "…")
                self.report(line + raw[: max(offset, 0)].count("\n"), f"{name}={shown!r}")
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data) -> None:
        if self.skip or not words(data):
            return
        if _IDENTIFIERS.fullmatch(data.replace(_MASK, " ")):
            return
        first = WORD.search(data.replace(_MASK, " "))
        line = self.getpos()[0] + data[: first.start() if first else 0].count("\n")
        self.report(line, " ".join(data.replace(_MASK, "…").split()))


def unmarked_template_text(path: Path) -> list[str]:
    """Text people read in a template that is neither in `{% translate %}` nor in
    `{% blocktranslate %}`: `file:line: text` for each."""
    source = path.read_text(encoding="utf-8")
    findings: list[str] = []

    def report(line: int, text: str) -> None:
        findings.append(f"{relative(path)}:{line}: {text}")

    masked, closing = [], None
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if closing is None and name in _SKIPPED_BLOCKS:
                closing = _SKIPPED_BLOCKS[name]
            elif closing == name:
                closing = None
        if token.token_type in (TokenType.BLOCK, TokenType.VAR) and closing is None:
            for match in _LITERAL_ARG.finditer(token.contents):
                if match.group(1) in TEXT_ARGUMENTS and words(match.group(3)):
                    report(token.lineno, f"{match.group(1)}={match.group(3)!r}")
            for match in _DEFAULT_FILTER.finditer(token.contents):
                found = words(match.group(2))
                if len(found) > 1 or (found and match.group(2)[:1].isupper()):
                    report(token.lineno, f"default:{match.group(2)!r}")
        if token.token_type == TokenType.TEXT and closing is None:
            masked.append(raw)
        else:
            masked.append(_MASK + "\n" * raw.count("\n"))
    document = "".join(masked)
    if path.suffix == ".txt":
        for number, line in enumerate(document.splitlines(), start=1):
            if words(line):
                report(number, " ".join(line.replace(_MASK, "…").split()))
    else:
        finder = _TextFinder(report)
        finder.feed(document)
        finder.close()
    return sorted(set(findings), key=_by_line)


def _by_line(finding: str) -> tuple[str, int, str]:
    path, line, rest = finding.split(":", 2)
    return path, int(line), rest


# --- unmarked literals in Python -------------------------------------------------------------
# Exceptions whose message people read, and the position of that message.
MESSAGE_ERRORS = {
    "DomainError": 0,
    "ValidationError": 0,
    "HttpError": 1,
    "PermissionDenied": 0,
    "Http404": 0,
}
MESSAGE_FUNCTIONS = {"success": 1, "info": 1, "warning": 1, "error": 1, "debug": 1}
# Functions (by name) that build an error answer for people, and the message's position.
MESSAGE_BUILDERS = {"error_body": 1}
# Keys of dict literals whose value people read (an API error body).
MESSAGE_KEYS = {"message"}
RESPONSE_CLASSES = re.compile(r"^HttpResponse\w*$")
TEXT_KEYWORDS = {"label", "help_text", "empty_label", "verbose_name", "verbose_name_plural"}
ATTRIBUTE_TEXT_KEYS = {"placeholder", "title", "aria-label", "alt"}
CLASS_TEXT_ATTRIBUTES = {"verbose_name", "verbose_name_plural", "short_description"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
# Model fields whose first positional argument is the verbose name (not a related model).
_RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField", "GenericForeignKey"}


def _literal_text(node: ast.AST | None) -> str | None:
    """The text of a string literal, an f-string, `"…" % x`, `"…".format()` or `"…" + x`;
    None for anything else (a gettext call, a name, another call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        left = _literal_text(node.left)
        if left is not None or not isinstance(node.op, ast.Add):
            return left
        return _literal_text(node.right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _literal_text(node.func.value)
    return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _error_classes(trees: Iterable[ast.Module]) -> dict[str, int]:
    """MESSAGE_ERRORS plus every class that derives from one (`NotAllowed(DomainError)`), with
    its message position (`Refused(status, code, message)` declares its own)."""
    classes = dict(MESSAGE_ERRORS)
    definitions = [
        node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
    ]
    changed = True
    while changed:
        changed = False
        for node in definitions:
            bases = [
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            ]
            inherited = [classes[b] for b in bases if b in classes]
            if node.name in classes or not inherited:
                continue
            position = inherited[0]
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    names = [a.arg for a in item.args.args[1:]]
                    if "message" in names:
                        position = names.index("message")
            classes[node.name] = position
            changed = True
    return classes


class _PythonFinder(ast.NodeVisitor):
    def __init__(self, path: Path, errors: dict[str, int]) -> None:
        self.path = path
        self.errors = errors
        self.findings: list[str] = []
        self.choices_class = 0

    def flag(self, node: ast.AST, what: str, text: str) -> None:
        self.findings.append(f"{relative(self.path)}:{node.lineno}: {what}: {text!r}")

    def check(self, node: ast.AST | None, what: str, *, any_letter: bool = False) -> None:
        if isinstance(node, ast.BoolOp):  # `str(exc) or "Not allowed."`
            for value in node.values:
                self.check(value, what, any_letter=any_letter)
            return
        if isinstance(node, ast.IfExp):
            self.check(node.body, what, any_letter=any_letter)
            self.check(node.orelse, what, any_letter=any_letter)
            return
        text = _literal_text(node)
        if text is None or node is None:
            return
        if words(text) or (any_letter and re.search(r"[^\W\d_]", _without_allowed(text))):
            self.flag(node, what, text)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {_base_name(base) for base in node.bases}
        is_choices = bool(bases & CHOICES_BASES)
        for item in node.body:
            if not isinstance(item, ast.Assign):
                continue
            names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            if set(names) & CLASS_TEXT_ATTRIBUTES:
                self.check(item.value, names[0], any_letter=True)
            elif (
                node.name != "Meta"
                and names == ["fieldsets"]
                and isinstance(item.value, ast.Tuple | ast.List)
            ):
                for fieldset in item.value.elts:
                    if isinstance(fieldset, ast.Tuple) and fieldset.elts:
                        self.check(fieldset.elts[0], "fieldset title")
            elif is_choices and names and not names[0].startswith("_"):
                value = item.value
                if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
                    self.check(value.elts[-1], f"label of choice {names[0]}", any_letter=True)
                elif isinstance(value, ast.Constant):
                    self.flag(item, f"choice {names[0]} has no label (Django makes one)", names[0])
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "short_description":
                self.check(node.value, "short_description", any_letter=True)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and _literal_msg(inner) is not None:
                self.flag(
                    inner,
                    "gettext call inside an f-string (makemessages cannot see it; "
                    "translate into a variable first)",
                    ast.unparse(inner),
                )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node) or ""
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name in self.errors:
            position = self.errors[name]
            message = node.args[position] if len(node.args) > position else keywords.get("message")
            if isinstance(message, ast.Dict):
                for value in message.values:
                    self.check(value, f"{name} message")
            else:
                self.check(message, f"{name} message")
        if (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
        ):
            if name in MESSAGE_FUNCTIONS and len(node.args) > 1:
                self.check(node.args[1], f"messages.{name}")
            elif name == "add_message" and len(node.args) > 2:
                self.check(node.args[2], "messages.add_message")
            if "message" in keywords:
                self.check(keywords["message"], f"messages.{name}")
        if name in MESSAGE_BUILDERS and len(node.args) > MESSAGE_BUILDERS[name]:
            self.check(node.args[MESSAGE_BUILDERS[name]], f"{name} message")
        if name == "add_error" and len(node.args) > 1:
            self.check(node.args[1], "add_error")
        if RESPONSE_CLASSES.match(name) and node.args:
            text = _literal_text(node.args[0])
            if text is not None and len(words(text)) >= 2:
                self.flag(node, f"{name} body", text)
        for keyword in TEXT_KEYWORDS & keywords.keys():
            self.check(keywords[keyword], f"{keyword}=", any_letter=True)
        if name in ("display", "action") and "description" in keywords:
            self.check(keywords["description"], f"admin {name} description=", any_letter=True)
        if (
            name.endswith("Field")
            and name not in _RELATION_FIELDS
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "models"
            and node.args
        ):
            self.check(node.args[0], "verbose name", any_letter=True)
        if "choices" in keywords and isinstance(keywords["choices"], ast.List | ast.Tuple):
            for choice in keywords["choices"].elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                    self.check(choice.elts[1], "choice label", any_letter=True)
        if "attrs" in keywords and isinstance(keywords["attrs"], ast.Dict):
            self.check_attrs(keywords["attrs"])
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in MESSAGE_KEYS:
                self.check(value, f"{key.value!r} of a dict")
        self.generic_visit(node)

    def check_attrs(self, attrs: ast.Dict) -> None:
        for key, value in zip(attrs.keys, attrs.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in ATTRIBUTE_TEXT_KEYS:
                self.check(value, f"widget attribute {key.value}")


def unmarked_python_literals(path: Path, errors: dict[str, int] | None = None) -> list[str]:
    """User-facing literals in a module that are not gettext calls: `file:line: what: text`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    finder = _PythonFinder(path, errors if errors is not None else _error_classes([tree]))
    finder.visit(tree)
    return sorted(set(finder.findings), key=_by_line)


def error_classes(package: Path) -> dict[str, int]:
    """The message-carrying exception classes defined anywhere in `package`."""
    trees = []
    for path in sorted(package.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(package).parts[:-1]):
            trees.append(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return _error_classes(trees)
