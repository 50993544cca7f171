"""The desk in German and Spanish, in a real browser (issue 13).

A German-speaking agent (profile language German, browser asking for German) takes a call end
to end: log in → incoming-call search → caller → a new case on the unit → call note →
resolve with codes. Each screen shows German labels, and none of the desk's commonest
English labels (headings, labels, buttons, table heads, navigation: not free text such as
names, subjects or products, which stay as people typed them). The same journey's first
screens once in Spanish. At 1280 x 720 the longer German (and Spanish) labels cut no
control off on any desk page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.desk.tests.browser.steps import PASSWORD, settled
from caseflow.desk.tests.browser.test_layout import CUT_OFF, SCROLLING_BOXES
from caseflow.desk.tests.browser.test_layout import busy_caller as busy_caller_fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Selects whose chosen option is wider than the select shows ("Alle Vorgangsarte…").
CLIPPED_SELECTS = """
() => {
  const probe = document.createElement("span");
  probe.style.cssText = "position: absolute; visibility: hidden; white-space: pre";
  document.body.appendChild(probe);
  const problems = [];
  for (const select of document.querySelectorAll("main select")) {
    const option = select.options[select.selectedIndex];
    if (!option || select.getBoundingClientRect().width <= 1) continue;
    const style = getComputedStyle(select);
    probe.style.font = style.font;
    probe.textContent = option.text;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    if (probe.getBoundingClientRect().width > room + 0.5) {
      problems.push(`${select.name}: "${option.text}" does not fit`);
    }
  }
  probe.remove();
  return problems;
}
"""

# The texts people read as labels: headings, form labels, buttons, action summaries, table
# and fact heads, navigation, and the names and hints controls carry. Free text (a case's
# subject, a customer's name, a product) and the options of selects (configuration) are left
# out: they are data.
LABELS = """
() => {
  const texts = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const own = el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll("[data-free-text], .font-monospace, select").forEach(x => x.remove());
    return copy.textContent.replace(/\\s+/g, " ").trim();
  };
  const labels = document.querySelectorAll(
    "h1, h2, h3, h4, h5, h6, label, legend, button, summary, th, dt, caption, .nav-link,"
    + " a.btn, .badge, .form-text, [role=status] strong"
  );
  for (const el of labels) {
    if (!shown(el) || el.closest("#case-title, [data-field], [data-testid=caller-result]")) {
      continue;
    }
    texts.push(own(el));
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
    for (const name of ["aria-label", "placeholder", "title"]) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  texts.push(document.title);
  return texts.filter(Boolean);
}
"""

# The desk's commonest English labels. A German or Spanish screen shows none of them (as
# whole words, in any case: "Log a call" counts for "Call"). Words German shares with
# English ("Status", "Team", "Name", "Symptom", "Filter", "System", "Region") are left out of
# the German list.
ENGLISH = [
    "Add",
    "Assign",
    "Call",
    "Case",
    "Cases",
    "Case type",
    "Change status",
    "Channel",
    "Close",
    "Contact",
    "Contacts",
    "Customer",
    "Customers",
    "Dealer",
    "Diagnosis",
    "Duration",
    "Incoming call",
    "Log in",
    "Log out",
    "New case",
    "Note",
    "Notes",
    "Open case",
    "Outcome",
    "Owner",
    "Password",
    "Priority",
    "Product",
    "Purchased",
    "Reason",
    "Received",
    "Registered",
    "Reopen",
    "Resolution",
    "Resolve",
    "Save",
    "Search",
    "Serial number",
    "Solution",
    "Subject",
    "Take it",
    "Timeline",
    "Type",
    "Unit",
    "Units",
    "Username",
    "Warranty",
    "Who is calling?",
]
ENGLISH_FOR_SPANISH = [*ENGLISH, "Filter", "Name", "Status", "Symptom", "Team"]


def english_labels(page, words: list[str], screen: str) -> list[str]:
    """The labels on the page that contain one of `words` (whole words, in any case), each
    as "screen: label"."""
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])", re.IGNORECASE
    )
    found = sorted({text for text in page.evaluate(LABELS) if pattern.search(text)})
    return [f"{screen}: {text}" for text in found]


# The log-in form's user name, password and button, per language.
LOG_IN = {
    "de": ("Benutzername", "Passwort", "Anmelden"),
    "es": ("Nombre de usuario", "Contraseña", "Iniciar sesión"),
}


def log_in(page, base: str, username: str, language: str = "de") -> None:
    """Through the real log-in form, as a person does, in the page's language."""
    user_label, password_label, button = LOG_IN[language]
    page.goto(base + reverse("desk:login"))
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()


@pytest.fixture
def german_agent(agent):
    agent.language = "de"
    agent.save(update_fields=["language"])
    return agent


@pytest.fixture
def spanish_agent(agent):
    agent.language = "es"
    agent.save(update_fields=["language"])
    return agent


@pytest.fixture
def browser_locale() -> str:
    """The browser asks for German, as the agent's profile does (so the log-in page is
    German before the profile's language applies); a test parametrizes it for another."""
    return "de-DE"


@pytest.fixture
def browser_context_args(browser_context_args, browser_locale):
    return {**browser_context_args, "locale": browser_locale}


def test_a_german_agent_takes_a_call_in_german(
    page, live_server, german_agent, registered_caller, desk_shots
):
    from playwright.sync_api import expect

    from caseflow.cases.models import Code

    base = live_server.url
    unit = registered_caller["unit"]
    codes = {c.code: str(c.pk) for c in Code.objects.all()}
    english: list[str] = []  # English labels seen on the way, by screen

    # 1. The log-in page is German (the browser asks for German).
    page.goto(base + reverse("desk:login"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Anmelden")).to_be_visible()
    english += english_labels(page, ENGLISH, "log-in")
    log_in(page, base, german_agent.username)

    # 2. The incoming-call screen.
    expect(page.get_by_role("heading", name="Eingehender Anruf")).to_be_visible()
    expect(page.locator("header nav")).to_contain_text("Vorgänge")
    search = page.get_by_label("Wer ruft an?")
    expect(search).to_be_focused()
    search.press_sequentially("030 1234567", delay=20)
    first = page.get_by_test_id("caller-result").first
    expect(first).to_contain_text("Erika Mustermann")
    expect(page.locator("#caller-results")).to_contain_text("1 Kunde gefunden")
    english += english_labels(page, ENGLISH, "incoming-call search")

    # 3. The caller: contacts, registered units in warranty, the decision.
    search.press("Enter")
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(panel.get_by_test_id("decide")).to_contain_text(
        "Geht es um einen offenen Vorgang oder um ein neues Problem?"
    )
    expect(panel).to_contain_text("Registrierte Geräte")
    row = panel.locator(f'[data-testid="unit-row"][data-unit="{unit.pk}"]')
    expect(row.get_by_test_id("in-warranty")).to_have_text("in Garantie")
    english += english_labels(page, ENGLISH, "caller")

    # 4. A new case on the unit.
    row.get_by_role("link", name="Neuer Vorgang zu diesem Gerät").click()
    expect(page.get_by_role("heading", name="Neuer Vorgang")).to_be_visible()
    expect(page.get_by_label("Gerät", exact=True)).to_have_value(str(unit.pk))
    expect(page.get_by_label("Vorgangsart", exact=True)).to_have_value("warranty")
    page.get_by_label("Betreff", exact=True).fill("Pumpe ist laut")
    page.get_by_label("Symptom", exact=True).fill("Lautes Rattern beim Brühen, seit gestern")
    english += english_labels(page, ENGLISH, "new case")
    page.get_by_role("button", name="Vorgang anlegen").click()

    expect(page.locator("#case-title")).to_contain_text("Pumpe ist laut")
    number = re.search(r"C-\d{4}-\d+", page.locator("#case-title").inner_text()).group(0)
    expect(page.locator("#messages")).to_contain_text(f"Vorgang {number} angelegt.")
    for heading in ("Verlauf", "Notizen und Anrufe", "Vorgang bearbeiten"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    facts = page.locator("#case-header dl")
    for fact in ("Bearbeiter", "Kunde", "Gerät", "Produkt", "Kanal"):
        expect(facts.locator("dt", has_text=fact).first).to_be_visible()
    english += english_labels(page, ENGLISH, "case page")

    # 5. The call note: `c` opens the form.
    settled(page)
    page.locator("body").press("c")
    call = page.locator("#form-call")
    expect(call.locator("input:not([type=hidden])").first).to_be_focused()
    call.get_by_label("Dauer (mm:ss)", exact=True).fill("4:30")
    call.get_by_label("Ergebnis", exact=True).select_option("reached")
    agreed = "Kunde entkalkt heute Abend und ruft zurück"
    call.get_by_label("Was vereinbart wurde", exact=True).fill(agreed)
    english += english_labels(page, ENGLISH, "call note")
    call.get_by_role("button", name="Anruf erfassen").click()
    expect(page.locator("#case-timeline")).to_contain_text(agreed)

    # 6. Resolve with a general and a specific code.
    settled(page)
    page.locator("body").press("r")
    resolve = page.locator("#form-resolve")
    expect(resolve).to_be_visible()
    settled(page)
    resolve.get_by_label("Lösungscode (allgemein)", exact=True).select_option(codes["FIX"])
    specific = resolve.get_by_label("Lösungscode (speziell)", exact=True)
    expect(specific.locator(f'option[value="{codes["FIX-PART"]}"]')).to_have_count(1)
    specific.select_option(codes["FIX-PART"])
    resolve.get_by_label("Lösung", exact=True).fill("Pumpe auf Garantie getauscht")
    resolve.get_by_label("Ursachencode (allgemein)", exact=True).select_option(codes["HARD"])
    reason = resolve.get_by_label("Ursachencode (speziell)", exact=True)
    expect(reason.locator(f'option[value="{codes["HARD-WEAR"]}"]')).to_have_count(1)
    reason.select_option(codes["HARD-WEAR"])
    english += english_labels(page, ENGLISH, "resolve form")
    resolve.get_by_role("button", name="Lösen").click()
    expect(page.locator("#messages")).to_contain_text(f"{number} gelöst.")
    expect(page.locator('[data-field="resolution"]')).to_contain_text("FIX-PART")
    expect(page.locator("#case-header dt", has_text="Lösung")).to_be_visible()
    expect(page.locator("#case-header dt", has_text="Ursache")).to_be_visible()
    page.locator("#messages .btn-close").first.click()
    english += english_labels(page, ENGLISH, "resolved case")
    desk_shots(page, "case-resolved-de")

    # 7. The case is among the resolved ones in the list.
    page.goto(f"{base}{reverse('desk:cases')}?status=resolved")
    expect(page.locator("[data-case-row]", has_text=number)).to_be_visible()
    expect(page.get_by_role("navigation", name="Gespeicherte Ansichten")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 Vorgang")
    english += english_labels(page, ENGLISH, "case list")
    desk_shots(page, "case-list-de")

    # The shortcuts' help in German too.
    page.locator("body").press("?")
    help = page.locator("#shortcuts")
    expect(help).to_contain_text("Tastenkürzel")
    expect(help).to_contain_text("Diese Hilfe")
    assert english == [], "\n".join(english)


@pytest.mark.parametrize("browser_locale", ["es-ES"])
def test_a_spanish_agent_finds_the_caller_in_spanish(
    page, live_server, spanish_agent, registered_caller, browser_locale
):
    from playwright.sync_api import expect

    base = live_server.url
    unit = registered_caller["unit"]
    english: list[str] = []
    # A browser asking for Spanish: the log-in page is Spanish.
    page.goto(base + reverse("desk:login"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    english += english_labels(page, ENGLISH_FOR_SPANISH, "log-in")
    log_in(page, base, spanish_agent.username, "es")
    expect(page.get_by_role("heading", name="Llamada entrante")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("header nav")).to_contain_text("Casos")
    english += english_labels(page, ENGLISH_FOR_SPANISH, "incoming-call screen")

    search = page.get_by_label("¿Quién llama?")
    search.press_sequentially("030 1234567", delay=20)
    expect(page.get_by_test_id("caller-result").first).to_contain_text("Erika Mustermann")
    expect(page.locator("#caller-results")).to_contain_text("1 cliente encontrado")
    english += english_labels(page, ENGLISH_FOR_SPANISH, "incoming-call search")

    search.press("Enter")
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_test_id("decide")).to_contain_text(
        "¿La llamada es sobre un caso abierto o sobre un problema nuevo?"
    )
    expect(panel).to_contain_text("Equipos registrados")
    row = panel.locator(f'[data-testid="unit-row"][data-unit="{unit.pk}"]')
    expect(row.get_by_test_id("in-warranty")).to_have_text("en garantía")
    expect(row.get_by_role("link", name="Nuevo caso para este equipo")).to_be_visible()
    english += english_labels(page, ENGLISH_FOR_SPANISH, "caller")
    assert english == [], "\n".join(english)


busy_caller = busy_caller_fixture  # the busy caller of the layout tests


@pytest.mark.parametrize(("language", "browser_locale"), [("de", "de-DE"), ("es", "es-ES")])
def test_longer_labels_cut_nothing_off_at_1280x720(
    page, live_server, agent, busy_caller, language, browser_locale
):
    """Every desk page in German and in Spanish, every action form open: the page never
    scrolls sideways, no control is cut off (the checks of test_layout.py, with labels
    longer than the English ones), and every select shows its chosen option in full."""
    from caseflow.cases.services import change_status
    from caseflow.core.models import Channel

    agent.language = language
    agent.save(update_fields=["language"])
    # the longest status there is, in the list and on a case page
    waiting = change_status(
        actor=agent, channel=Channel.UI, case=busy_caller["open"][1], status="waiting_vendor"
    )
    customer, unit = busy_caller["customer"], busy_caller["units"][0]
    open_case, resolved = busy_caller["open"][0], busy_caller["resolved"]
    pages = {
        "incoming": reverse("desk:incoming"),
        "caller": f"{reverse('desk:incoming')}?customer={customer.pk}",
        "case list": reverse("desk:cases"),
        "case page": reverse("desk:case_detail", args=[open_case.pk]),
        "waiting case page": reverse("desk:case_detail", args=[waiting.pk]),
        "resolved case page": reverse("desk:case_detail", args=[resolved.pk]),
        "new case": f"{reverse('desk:case_new')}?customer={customer.pk}&unit={unit.pk}",
        "customer page": reverse("desk:customer_detail", args=[customer.pk]),
        "unit page": reverse("desk:unit_detail", args=[unit.pk]),
        "search results": f"{reverse('desk:search')}?q={customer.number}",
    }
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, live_server.url, agent.username, language)
    problems = []
    for name, address in pages.items():
        page.goto(live_server.url + address)
        settled(page)
        assert page.locator("html").get_attribute("lang") == language
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        settled(page)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > 1280:
            problems.append(f"{name}: the page scrolls sideways ({scroll_width} > 1280)")
        problems += [f"{name}: {box} scrolls sideways" for box in page.evaluate(SCROLLING_BOXES)]
        problems += [f"{name}: {problem}" for problem in page.evaluate(CUT_OFF)]
        problems += [f"{name}: {problem}" for problem in page.evaluate(CLIPPED_SELECTS)]
        # The header: links, search, language and log-out inside the window.
        for control in page.locator("header a, header button, header select, header input").all():
            box = control.bounding_box()
            if box and (box["x"] < 0 or box["x"] + box["width"] > 1280):
                problems.append(f"{name}: header control {control.inner_text()!r} outside")
    assert problems == [], "\n".join(problems)
