"""Completeness of the translations is tested, not hoped for (issue 13; docs/translations.md).

Per app: no template text and no user-facing Python literal left unmarked; every msgid the app
asks for (extracted here in pure Python, as makemessages extracts it) is in its German and
Spanish catalogues, translated, not fuzzy, with the same placeholders; every `.mo` holds exactly
what its `.po` holds. The checks themselves are proven on small synthetic apps below. No GNU
gettext is needed, except by the one test that compares our extraction with makemessages'
(skipped without it; the CI installs it).
"""

from __future__ import annotations

import os
import shutil
import textwrap
from functools import cache
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from caseflow.core import catalogues
from caseflow.core.tests import i18n

PACKAGE = catalogues.PACKAGE
APPS = catalogues.apps()
LANGUAGES = catalogues.LANGUAGES


@cache
def error_classes() -> dict[str, int]:
    return i18n.error_classes(PACKAGE)


def listing(findings: list[str]) -> str:
    return f"{len(findings)} finding(s):\n  " + "\n  ".join(findings)


# --- the real apps -------------------------------------------------------------------------------
@pytest.mark.parametrize("app", APPS)
def test_templates_have_no_unmarked_text(app):
    findings = [
        finding
        for path in i18n.template_files(PACKAGE / app)
        if "templates" in path.relative_to(PACKAGE / app).parts
        for finding in i18n.unmarked_template_text(path)
    ]
    if findings:
        pytest.fail(
            "wrap in {% translate %} / {% blocktranslate %}: " + listing(findings), pytrace=False
        )


@pytest.mark.parametrize("unit", [*APPS, "project"])
def test_python_has_no_unmarked_messages(unit):
    paths = sorted(PACKAGE.glob("*.py")) if unit == "project" else i18n.python_files(PACKAGE / unit)
    errors = error_classes()
    findings = [found for path in paths for found in i18n.unmarked_python_literals(path, errors)]
    if findings:
        pytest.fail("mark with gettext / gettext_lazy: " + listing(findings), pytrace=False)


@pytest.mark.parametrize(("app", "language"), [(a, lang) for a in APPS for lang in LANGUAGES])
def test_catalogue_is_complete(app, language):
    findings = i18n.catalogue_findings(PACKAGE / app, language)
    if findings:
        pytest.fail(f"caseflow/{app}/locale/{language}: " + listing(findings), pytrace=False)


@pytest.mark.parametrize("catalogue", list(catalogues.catalogues()), ids=str)
def test_mo_holds_what_the_po_holds(catalogue):
    differences = catalogues.mo_differences(catalogue)
    if differences:
        message = f"{catalogue}: run scripts/messages --compile: " + listing(differences)
        pytest.fail(message, pytrace=False)


def test_the_projects_own_strings_are_translated_by_django():
    # settings.LANGUAGES ("German", …): Django's own catalogue has them.
    messages = [msg for path in PACKAGE.glob("*.py") for _line, msg in i18n.extract_python(path)]
    for language in LANGUAGES:
        with translation.override(language):
            untranslated = [m.msgid for m in messages if translation.gettext(m.msgid) == m.msgid]
        assert not untranslated, f"{language}: {untranslated}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("app", APPS)
def test_our_extraction_is_makemessages(app, tmp_path, monkeypatch):
    # What scripts/messages runs, on a copy of the app (makemessages writes into ./locale).
    copy = tmp_path / app
    shutil.copytree(
        PACKAGE / app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static")
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["de"], ignore_patterns=["tests", "migrations"], verbosity=0
    )
    po = copy / "locale" / "de" / "LC_MESSAGES" / "django.po"
    theirs = set()
    if po.exists():
        for message in catalogues.read_po(po):
            if isinstance(message.id, tuple):
                theirs.add(i18n.Msg(message.id[0], message.context, message.id[1]))
            elif message.id:
                theirs.add(i18n.Msg(message.id, message.context))
    ours = set(i18n.extract_app(PACKAGE / app))
    assert sorted(ours - theirs) == [], "we extract what makemessages does not"
    assert sorted(theirs - ours) == [], "makemessages extracts what we do not"


# --- the checks, on synthetic apps -------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_unmarked_template_text_is_found_with_file_and_line(tmp_path):
    template = write(
        tmp_path / "caseflow" / "shop" / "templates" / "shop" / "page.html",
        """
        {% load i18n %}
        <h1>{% translate "Cases" %}</h1>
        <p>Save changes</p>
        <button title="Close" aria-label="{% translate 'Close' %}">×</button>
        <input type="submit" value="Send it">
        <input type="hidden" value="internal value">
        <input placeholder="Search {{ what }}">
        <p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>
        <p>Hello {{ name }}</p>
        {% comment %}Not for people{% endcomment %}
        <script>const words = "not checked here";</script>
        <kbd>Ctrl</kbd> + <kbd>K</kbd> → Caseflow — C-2026-000123 @ mm:ss
        {% include "ui/_action.html" with label="Assign case" wrap="m-0" %}
        <td>{{ value|default:"Not set" }}</td><td>{{ value|default:"—" }}</td>
        <body class="{% block body_class %}desk-login{% endblock %}">
        """,
    )
    assert i18n.unmarked_template_text(template) == [
        "caseflow/shop/templates/shop/page.html:3: Save changes",
        "caseflow/shop/templates/shop/page.html:4: title='Close'",
        "caseflow/shop/templates/shop/page.html:5: value='Send it'",
        "caseflow/shop/templates/shop/page.html:7: placeholder='Search …'",
        "caseflow/shop/templates/shop/page.html:9: Hello …",
        "caseflow/shop/templates/shop/page.html:13: label='Assign case'",
        "caseflow/shop/templates/shop/page.html:14: default:'Not set'",
    ]


def test_unmarked_text_in_a_text_template_is_found(tmp_path):
    template = write(
        tmp_path / "mail_subject.txt",
        """
        {% load i18n %}{% translate "Your case" %} {{ number }}
        Kind regards
        """,
    )
    assert i18n.unmarked_template_text(template) == [f"{template}:2: Kind regards"]


def test_unmarked_python_literals_are_found_with_file_and_line(tmp_path):
    module = write(
        tmp_path / "caseflow" / "shop" / "services.py",
        """
        from django import forms
        from django.contrib import admin, messages
        from django.db import models
        from django.utils.translation import gettext as _

        class ShopError(DomainError):
            pass

        class Status(models.TextChoices):
            NEW = "new", _("New")
            OPEN = "open", "Open"
            DONE = "done"

        class Thing(models.Model):
            name = models.CharField("name", max_length=10, help_text="what people call it")
            code = models.CharField(_("code"), max_length=10, help_text="ISO 3166-1")
            owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)

            class Meta:
                verbose_name = "thing"
                verbose_name_plural = _("things")

        class ThingForm(forms.Form):
            note = forms.CharField(label="Note", widget=TextInput(attrs={"placeholder": "Say"}))
            kind = forms.ChoiceField(choices=[("a", "Apples"), ("b", _("Pears"))], label=_("Kind"))

        @admin.display(description="Owner's name")
        def owner_name(obj):
            return obj.owner

        def act(request, n):
            if n > 3:
                raise DomainError("Too many.", field="n")
            if n > 2:
                raise ShopError(f"At most {n}.")
            if n > 1:
                raise DomainError(_("Fine %(n)s.") % {"n": n})
            messages.success(request, "Saved.")
            messages.info(request, _("Also saved."))
            body = {"code": "not_found", "message": "Not found."}
            label = f"{_('Serial number')}: {n}"
            return HttpResponse("The thing is gone."), HttpResponse("ok"), body, label
        """,
    )
    found = i18n.unmarked_python_literals(module)
    where = "caseflow/shop/services.py"
    assert found == [
        f"{where}:11: label of choice OPEN: 'Open'",
        f"{where}:12: choice DONE has no label (Django makes one): 'DONE'",
        f"{where}:15: help_text=: 'what people call it'",
        f"{where}:15: verbose name: 'name'",
        f"{where}:20: verbose_name: 'thing'",
        f"{where}:24: label=: 'Note'",
        f"{where}:24: widget attribute placeholder: 'Say'",
        f"{where}:25: choice label: 'Apples'",
        f'{where}:27: admin display description=: "Owner\'s name"',
        f"{where}:33: DomainError message: 'Too many.'",
        f"{where}:35: ShopError message: 'At most .'",
        f"{where}:38: messages.success: 'Saved.'",
        f"{where}:40: 'message' of a dict: 'Not found.'",
        f"{where}:41: gettext call inside an f-string (makemessages cannot see it; "
        "translate into a variable first): \"_('Serial number')\"",
        f"{where}:42: HttpResponse body: 'The thing is gone.'",
    ]


SOURCE = """
from django.utils.translation import gettext as _, ngettext, pgettext

_("Hello %(name)s")
_("Bye")
_("Gone")
_("Empty")
_("Fuzzy one")
ngettext("%(n)d file", "%(n)d files", 2)
ngettext("%(n)d day", "%(n)d days", 2)
pgettext("month", "May")
_("Braces {count}")
"""

CATALOGUE = """
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(nam)s"

msgid "Bye"
msgstr "Tschüss"

msgid "Empty"
msgstr ""

#, fuzzy
msgid "Fuzzy one"
msgstr "Unscharf"

#, python-format
msgid "%(n)d file"
msgid_plural "%(n)d files"
msgstr[0] "%(n)d Datei"
msgstr[1] "%(n)d Dateien"

#, python-format
msgid "%(n)d day"
msgid_plural "%(n)d days"
msgstr[0] "%(n)d Tag"
msgstr[1] ""

msgctxt "month"
msgid "May"
msgstr "Mai"

msgid "Braces {count}"
msgstr "Klammern {anzahl}"
"""


def synthetic_app(root: Path) -> Path:
    app = root / "caseflow" / "shop"
    write(app / "apps.py", "")
    write(app / "services.py", SOURCE)
    write(app / "templates" / "shop" / "page.html", '{% load i18n %}{% translate "Cart" %}\n')
    write(app / "tests" / "test_x.py", '_("Only in a test")\n')
    write(app / "locale" / "de" / "LC_MESSAGES" / "django.po", CATALOGUE)
    return app


def test_a_catalogue_with_gaps_is_reported_entry_by_entry(tmp_path):
    app = synthetic_app(tmp_path)
    findings = i18n.catalogue_findings(app, "de")
    at = "caseflow/shop/services.py"
    assert findings == [
        f"shop/de: '%(n)d day' / plural '%(n)d days' ({at}:9): not translated (every form)",
        f"shop/de: 'Braces {{count}}' ({at}:11): placeholders differ: msgid has {{count}}, "
        "msgstr 'Klammern {anzahl}' has {anzahl}",
        "shop/de: 'Cart' (caseflow/shop/templates/shop/page.html:1): missing",
        f"shop/de: 'Empty' ({at}:6): not translated",
        f"shop/de: 'Fuzzy one' ({at}:7): fuzzy",
        f"shop/de: 'Gone' ({at}:5): missing",
        f"shop/de: 'Hello %(name)s' ({at}:3): placeholders differ: msgid has %(name)s, "
        "msgstr 'Hallo %(nam)s' has %(nam)s",
    ]
    assert i18n.catalogue_findings(app, "es") == [
        "shop/es: caseflow/shop/locale/es/LC_MESSAGES/django.po is missing (10 msgids to translate)"
    ]


def test_placeholders_are_compared_as_python_reads_them():
    assert i18n.placeholders("%(a)s and %s, 100%% {b} {{c}} {0:>3}") == {
        "%(a)s": 1,
        "%s": 1,
        "{b}": 1,
        "{0}": 1,
    }


def test_a_stale_mo_is_found_and_compiled_reproducibly(tmp_path):
    app = synthetic_app(tmp_path)
    package = app.parent
    (catalogue,) = catalogues.catalogues(package)
    assert catalogues.mo_differences(catalogue) == ["django.mo is missing"]

    assert catalogues.compile_catalogues(package=package) == [catalogue]
    assert catalogues.mo_differences(catalogue) == []
    first = catalogue.mo.read_bytes()
    assert catalogues.compile_catalogues(package=package) == []  # up to date: not rewritten

    po = catalogue.po.read_text(encoding="utf-8").replace('msgstr "Tschüss"', 'msgstr "Ciao"')
    catalogue.po.write_text(po, encoding="utf-8")
    os.utime(catalogue.mo, (1, 1))  # older than the .po, as after an edit
    changed = "'Bye': 'Tschüss' in the .mo, 'Ciao' in the .po"
    assert catalogues.mo_differences(catalogue) == [changed]
    assert catalogues.compile_catalogues(if_stale=True, package=package) == [catalogue]
    assert catalogues.mo_differences(catalogue) == []

    catalogue.po.write_text(po.replace('"Ciao"', '"Tschüss"'), encoding="utf-8")
    catalogues.compile_catalogues(package=package)
    assert catalogue.mo.read_bytes() == first  # the same .po, the same bytes


def test_compiling_only_stale_catalogues_skips_current_ones(tmp_path):
    app = synthetic_app(tmp_path)
    package = app.parent
    catalogues.compile_catalogues(package=package)
    (catalogue,) = catalogues.catalogues(package)
    catalogue.mo.write_bytes(b"not a catalogue")
    os.utime(catalogue.po, (1, 1))  # the .mo is newer: trusted without reading it
    assert catalogues.compile_catalogues(if_stale=True, package=package) == []
    assert catalogues.compile_catalogues(package=package) == [catalogue]
