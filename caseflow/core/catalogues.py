"""The apps' translation catalogues: find them, compile `.po` to `.mo` in pure Python (Babel),
and tell whether a `.mo` still holds what its `.po` says.

No GNU gettext and no Django settings are needed, so `scripts/test` and `scripts/demo` can
compile on a fresh machine before Django starts:

    python -m caseflow.core.catalogues compile            # every catalogue whose .mo differs
    python -m caseflow.core.catalogues compile --if-stale # only where a .mo is older than its .po

A compiled `.mo` is reproducible: the same `.po` gives the same bytes (the header keeps what
gettext reads at run time and drops the dates and the generator), so recompiling an unchanged
catalogue never shows up in `git status`. See docs/translations.md.
"""

from __future__ import annotations

import argparse
import gettext
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "es")
DOMAINS = ("django", "djangojs")
# Header fields that change with every extraction or compiler, not with the translations.
_VOLATILE_HEADERS = {"pot-creation-date", "po-revision-date", "generated-by"}


def apps(package: Path = PACKAGE) -> list[str]:
    """The Django apps under `package` (folders with an `apps.py`), by name."""
    return sorted(p.parent.name for p in package.glob("*/apps.py"))


@dataclass(frozen=True)
class Catalogue:
    app: str
    language: str
    domain: str
    po: Path

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")

    def __str__(self) -> str:
        return f"{self.app}/{self.language}/{self.domain}"


def catalogues(package: Path = PACKAGE) -> Iterator[Catalogue]:
    """Every `<app>/locale/<language>/LC_MESSAGES/<domain>.po` under `package`."""
    for app in apps(package):
        for po in sorted((package / app / "locale").glob("*/LC_MESSAGES/*.po")):
            yield Catalogue(app, po.parent.parent.name, po.stem, po)


def read_po(path: Path) -> Any:
    """The Babel catalogue of a `.po` file (obsolete `#~` entries are not in it)."""
    from babel.messages.pofile import read_po as babel_read_po

    try:
        with path.open("rb") as handle:
            return babel_read_po(handle, abort_invalid=True)
    except Exception as error:
        raise ValueError(f"{path}: {error}") from error


class _Compiled:
    """What `write_mo` reads of a catalogue, with a header free of dates."""

    def __init__(self, catalog: Any) -> None:
        self.charset = "utf-8"
        self._catalog = catalog

    def __iter__(self) -> Iterator[Any]:
        from babel.messages.catalog import Message

        header = [
            f"{name}: {value}"
            for name, value in self._catalog.mime_headers
            if name.lower() not in _VOLATILE_HEADERS
        ]
        yield Message("", "\n".join(header) + "\n")
        yield from (message for message in self._catalog if message.id)


def compile_po(po: Path) -> bytes:
    """The `.mo` bytes for `po`: translated, non-fuzzy entries only (as msgfmt writes them)."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _Compiled(read_po(po)))  # type: ignore[arg-type]
    return buffer.getvalue()


def _translations(data: bytes) -> tuple[dict[Any, str], str]:
    """The messages of a `.mo` and its Plural-Forms header, as gettext reads them."""
    translations = gettext.GNUTranslations(io.BytesIO(data))
    messages = dict(translations._catalog)  # type: ignore[attr-defined]
    header = messages.pop("", "")
    plural = next(
        (
            line.split(":", 1)[1].strip()
            for line in header.splitlines()
            if line.lower().startswith("plural-forms:")
        ),
        "",
    )
    return messages, plural


def mo_differences(catalogue: Catalogue) -> list[str]:
    """How the `.mo` differs from its `.po`, in words; empty when it is up to date."""
    if not catalogue.mo.exists():
        return [f"{catalogue.mo.name} is missing"]
    want, want_plural = _translations(compile_po(catalogue.po))
    try:
        have, have_plural = _translations(catalogue.mo.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError):
        return [f"{catalogue.mo.name} is not a readable .mo file"]
    problems = []
    if want_plural != have_plural:
        problems.append(f"Plural-Forms {have_plural!r} in the .mo, {want_plural!r} in the .po")
    for key in sorted(want.keys() | have.keys(), key=repr):
        if key not in have:
            problems.append(f"missing in the .mo: {key!r}")
        elif key not in want:
            problems.append(f"not (or not translated) in the .po: {key!r}")
        elif want[key] != have[key]:
            problems.append(f"{key!r}: {have[key]!r} in the .mo, {want[key]!r} in the .po")
    return problems


def compile_catalogues(*, if_stale: bool = False, package: Path = PACKAGE) -> list[Catalogue]:
    """Write each `.mo` whose content differs from its `.po`; return the ones written.

    `if_stale`: look only at catalogues whose `.mo` is missing or older than the `.po` (fast);
    one that turns out to be current is touched, so the next run skips it."""
    written = []
    for catalogue in catalogues(package):
        if (
            if_stale
            and catalogue.mo.exists()
            and catalogue.mo.stat().st_mtime >= catalogue.po.stat().st_mtime
        ):
            continue
        if mo_differences(catalogue):
            data = compile_po(catalogue.po)
            partial = catalogue.mo.with_suffix(".mo.partial")
            partial.write_bytes(data)
            os.replace(partial, catalogue.mo)
            written.append(catalogue)
        else:
            catalogue.mo.touch()
    return written


def _entries(path: Path) -> dict[tuple[str, str | None], Any]:
    """The messages of a `.po` by (msgid, context); a plural entry by its singular msgid."""
    entries = {}
    for message in read_po(path):
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            entries[msgid, message.context] = message
    return entries


def _describe(key: tuple[str, str | None]) -> str:
    msgid, context = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def extraction_differences(committed: Path, package: Path = PACKAGE, most: int = 10) -> list[str]:
    """How the catalogues just extracted under `package` differ from the committed copies in
    `committed` (`<app>/locale/…` below it), in words, at most `most` lines per catalogue;
    headers and `#:` locations do not count. Empty: the committed catalogues already hold
    exactly the strings the source asks for."""
    problems = []
    extracted = {c.po.relative_to(package): c.po for c in catalogues(package)}
    before = {po.relative_to(committed): po for po in committed.glob("*/locale/*/LC_MESSAGES/*.po")}
    for path in sorted(before.keys() - extracted.keys()):
        problems.append(f"{path}: the source has no string left for it; delete it")
    for path in sorted(extracted.keys() & before.keys() | extracted.keys()):
        old = _entries(before[path]) if path in before else {}
        new = _entries(extracted[path])
        found = [f"new msgid {_describe(key)}" for key in sorted(new.keys() - old.keys(), key=repr)]
        found += [
            f"gone from the source: {_describe(key)}"
            for key in sorted(old.keys() - new.keys(), key=repr)
        ]
        for key in sorted(old.keys() & new.keys(), key=repr):
            was, now = old[key], new[key]
            if (was.id, was.string, was.fuzzy) != (now.id, now.string, now.fuzzy):
                found.append(f"changed on extraction (plural form or fuzzy): {_describe(key)}")
        if path not in before:
            problems.append(f"{path}: a new catalogue with {len(new)} msgids, not committed")
            continue
        problems += [f"{path}: {line}" for line in found[:most]]
        if len(found) > most:
            problems.append(f"{path}: … and {len(found) - most} more")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseflow.core.catalogues")
    commands = parser.add_subparsers(dest="command", required=True)
    compile_ = commands.add_parser("compile", help="compile .po files to .mo (Babel)")
    compile_.add_argument(
        "--if-stale", action="store_true", help="only where a .mo is missing or older"
    )
    compare = commands.add_parser(
        "compare", help="compare freshly extracted catalogues with committed copies"
    )
    compare.add_argument("committed", type=Path, help="folder holding <app>/locale/… copies")
    args = parser.parse_args(argv)
    if args.command == "compare":
        try:
            problems = extraction_differences(args.committed)
        except Exception as error:
            print(f"catalogues: {error}", file=sys.stderr)
            return 1
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    try:
        written = compile_catalogues(if_stale=args.if_stale)
    except Exception as error:  # a malformed .po: one line naming it, no traceback
        print(f"catalogues: {error}", file=sys.stderr)
        return 1
    for catalogue in written:
        print(f"compiled {catalogue.mo.relative_to(PACKAGE.parent)}")
    if not args.if_stale:
        total = sum(1 for _ in catalogues())
        print(f"{len(written)} of {total} catalogues compiled, the others were up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
