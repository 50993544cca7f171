"""The apps' dependencies point one way (docs/architecture.md, "Apps and their dependencies").

Every module under caseflow/ except tests is parsed with `ast`: each `import x`, `from x import
y` (at module level, inside functions, relative ones resolved) and each string literal naming a
Caseflow module (`importlib.import_module("caseflow.…")`, dotted paths in constants) is checked
against the order below. Templates are checked too: an `{% extends %}` or `{% include %}` of a
template another app owns, a `{% load %}` of another app's tag library, and a Python string
naming another app's template count as imports of that app.

    core ← accounts ← customers ← catalog ← cases ← ui ← desk | channels, workflow, …

`desk` and the feature apps are siblings: neither imports the other. A feature app may use an
earlier feature app's public `services` and `selectors` modules (the list below is that order),
nothing else of it. `demo` and the project's own modules (urls, api, settings) may import any
app; no app imports them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import caseflow

ROOT = Path(caseflow.__file__).resolve().parent

# Each app may import the apps before it in this chain (and itself).
CHAIN = ("core", "accounts", "customers", "catalog", "cases", "ui")
# Above the chain, side by side: the desk, and the feature apps in their documented order.
DESK = "desk"
FEATURE_APPS = (
    "channels",
    "workflow",
    "troubleshooting",
    "service",
    "billing",
    "quality",
    "reports",
    "portal",
)
# May import every app: the demo data and the project's own modules.
TOP = ("demo", "urls", "api", "settings", "settings_test", "settings_mutation", "wsgi")
# Data read by Django itself (locale formats): may import nothing of ours.
DATA = ("formats",)
# What a feature app may import of an earlier one.
PUBLIC_MODULES = frozenset({"services", "selectors"})

MODULE_STRING = re.compile(r"^caseflow(\.[A-Za-z_][A-Za-z0-9_]*)+$")
TEMPLATE_TAG = re.compile(r"{%\s*(extends|include|load)\s+(.*?)%}", re.S)
QUOTED = re.compile(r"""^["']([^"']+)["']""")
TEMPLATE_STRING = re.compile(r"^[\w./-]+\.(html|txt)$")


def rank(app: str) -> int:
    if app in DATA:
        return 0
    if app in CHAIN:
        return CHAIN.index(app)
    if app == DESK or app in FEATURE_APPS:
        return len(CHAIN)
    if app in TOP:
        return len(CHAIN) + 1
    raise AssertionError(f"caseflow.{app} is in no layer: add it to {__name__} and the docs")


def may_import(source: str, target: str, module: str) -> bool:
    """Whether app `source` may import `module` of app `target`."""
    if source == target or source in TOP:
        return True
    if source in DATA or target in TOP:
        return False
    if source in FEATURE_APPS and target in FEATURE_APPS:
        earlier = FEATURE_APPS.index(target) < FEATURE_APPS.index(source)
        return earlier and bool(PUBLIC_MODULES & set(module.split(".")[2:]))
    return rank(target) < rank(source)


@dataclass(frozen=True)
class Use:
    path: Path
    line: int
    what: str  # the module, template or tag library used
    target: str  # the app that owns it


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def is_test(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def sources() -> list[Path]:
    found = [p for p in ROOT.rglob("*.py") if not is_test(p) and "migrations" not in p.parts]
    return sorted(found)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def templates() -> dict[str, str]:
    """Every template of ours in its app's namespace (`desk/…` in caseflow/desk/templates),
    by its name, with the app that owns it. Names outside the apps' namespaces are the
    site's, by Django's conventions (`registration/login.html`, which Django's log-in view
    renders, `registration/locked_out.html`): any app may render those by name."""
    owners = {}
    for folder in ROOT.glob("*/templates"):
        for path in (folder / folder.parent.name).rglob("*"):
            if path.is_file():
                owners[path.relative_to(folder).as_posix()] = folder.parent.name
    return owners


def tag_libraries() -> dict[str, str]:
    found = ROOT.glob("*/templatetags/*.py")
    return {p.stem: p.parent.parent.name for p in found if p.stem != "__init__"}


TEMPLATES = templates()
LIBRARIES = tag_libraries()


# The project's packages and modules (a string such as "caseflow.localhost" names none).
KNOWN = {p.stem for p in ROOT.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}


def owner(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "caseflow" and len(parts) > 1 and parts[1] in KNOWN:
        return parts[1]
    return None


def python_uses(path: Path) -> Iterator[Use]:
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    yield from code_uses(path.read_text(encoding="utf-8"), path, package)


def code_uses(code: str, path: Path, package: list[str]) -> Iterator[Use]:
    """The Caseflow modules and templates `code` uses (`package`: the one it is in)."""
    for node in ast.walk(ast.parse(code, filename=str(path))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            modules = [f"{base}.{alias.name}" for alias in node.names] or [base]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if MODULE_STRING.match(node.value):
                modules = [node.value]
            elif TEMPLATE_STRING.match(node.value) and node.value in TEMPLATES:
                yield Use(path, node.lineno, node.value, TEMPLATES[node.value])
        for module in modules:
            target = owner(module)
            if target is not None:
                yield Use(path, node.lineno, module, target)


def template_uses(path: Path) -> Iterator[Use]:
    text = path.read_text(encoding="utf-8")
    for match in TEMPLATE_TAG.finditer(text):
        tag, rest = match.group(1), match.group(2).strip()
        line = text.count("\n", 0, match.start()) + 1
        if tag == "load":
            words = rest.split()
            names = words[words.index("from") + 1 :] if "from" in words else words
            for name in names:
                if name in LIBRARIES:
                    yield Use(path, line, f"{{% load {name} %}}", LIBRARIES[name])
            continue
        quoted = QUOTED.match(rest)
        if quoted and quoted.group(1) in TEMPLATES:
            yield Use(path, line, f'{{% {tag} "{quoted.group(1)}" %}}', TEMPLATES[quoted.group(1)])


def template_files() -> list[Path]:
    found = ROOT.glob("*/templates/**/*")
    return sorted(p for p in found if p.is_file() and "tests" not in p.parts)


def violations() -> list[str]:
    found = []
    uses = [u for p in sources() for u in python_uses(p)]
    uses += [u for p in template_files() for u in template_uses(p)]
    for use in uses:
        source = app_of(use.path)
        module = use.what if use.what.startswith("caseflow.") else f"caseflow.{use.target}"
        if not may_import(source, use.target, module):
            where = use.path.relative_to(ROOT.parent)
            found.append(f"{where}:{use.line}: {source} uses {use.what} ({use.target})")
    return found


def test_every_app_has_a_layer():
    for app in KNOWN - {"__init__"}:
        rank(app)  # raises for an app in no layer


def test_no_import_goes_against_the_layers():
    assert violations() == []


def test_the_docs_state_the_same_order():
    docs = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    chain = " ← ".join(CHAIN)
    assert chain in docs, f"docs/architecture.md should show the chain {chain}"
    for app in (DESK, *FEATURE_APPS, *TOP[:1]):
        assert f"`{app}`" in docs


# --- the checker itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "module", "allowed"),
    [
        ("cases", "caseflow.catalog.models", True),
        ("catalog", "caseflow.cases.selectors", False),
        ("customers", "caseflow.catalog.models", False),
        ("ui", "caseflow.cases.models", True),
        ("cases", "caseflow.ui.registry", False),
        ("desk", "caseflow.ui.registry", True),
        ("channels", "caseflow.ui.forms", True),
        ("desk", "caseflow.channels.calls.selectors", False),
        ("channels", "caseflow.desk.rows", False),
        ("billing", "caseflow.channels.outbound.services", True),
        ("billing", "caseflow.channels.models", False),
        ("channels", "caseflow.billing.services", False),
        ("demo", "caseflow.channels.inbound.services", True),
        ("core", "caseflow.settings", False),
        ("urls", "caseflow.desk.urls", True),
    ],
)
def test_the_rule(source, module, allowed):
    assert may_import(source, module.split(".")[1], module) is allowed


def test_imports_inside_functions_and_strings_are_found(monkeypatch):
    code = (
        "import importlib\n"
        "from caseflow.core import money\n"
        "from . import models\n"
        "def f():\n"
        "    from caseflow.cases.models import Case\n"
        "    import caseflow.desk.rows\n"
        "    return importlib.import_module('caseflow.channels.models')\n"
        "TEMPLATE = 'ui/base.html'\n"
    )
    monkeypatch.setitem(TEMPLATES, "ui/base.html", "desk")
    path = ROOT / "catalog" / "selectors.py"
    uses = {(u.what, u.target) for u in code_uses(code, path, ["caseflow", "catalog"])}
    assert uses == {
        ("caseflow.core.money", "core"),
        ("caseflow.catalog.models", "catalog"),
        ("caseflow.cases.models.Case", "cases"),
        ("caseflow.desk.rows", "desk"),
        ("caseflow.channels.models", "channels"),
        ("ui/base.html", "desk"),
    }


def test_template_tags_are_found(tmp_path, monkeypatch):
    monkeypatch.setitem(TEMPLATES, "channels/_reply.html", "channels")
    monkeypatch.setitem(LIBRARIES, "inbound_mail", "channels")
    path = tmp_path / "page.html"
    path.write_text(
        '{% extends "channels/_reply.html" %}{% load i18n inbound_mail %}\n'
        "{% include 'channels/_reply.html' with x=1 %}{% include template %}",
        encoding="utf-8",
    )
    uses = [(u.what, u.target) for u in template_uses(path)]
    assert uses == [
        ('{% extends "channels/_reply.html" %}', "channels"),
        ("{% load inbound_mail %}", "channels"),
        ('{% include "channels/_reply.html" %}', "channels"),
    ]
