"""Full-text search of cases: stemming by the customer's language, ranking, the services
keeping the index current, exact numbers, hostile input, the rebuild command, query counts.
Runs on SQLite (FTS5) and PostgreSQL (tsvector); tests marked `postgres` need stemmers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection

from caseflow.cases import search, selectors, services
from caseflow.cases.models import Case
from caseflow.cases.search import filter_by_ids, filter_cases, search_case_ids
from caseflow.core.models import Channel
from caseflow.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish(db) -> Customer:
    return Customer.objects.create(
        number="CU-900010", kind="organisation", name="Cafetería Luna S.L.", language="es"
    )


@pytest.fixture
def english(db) -> Customer:
    return Customer.objects.create(
        number="CU-900011", kind="person", name="Jane Doe", language="en"
    )


def note(agent, case: Case, text: str) -> None:
    services.record_event(actor=agent, channel=Channel.UI, case=case, event_type="note", text=text)


# --- language-aware matching ----------------------------------------------------------------


def test_german_plural_finds_the_singular(open_case):
    case = open_case(subject="Pumpe defekt", symptom="Die Pumpe brummt nur")
    open_case(subject="Display flackert", symptom="Anzeige flackert")

    assert search_case_ids("Pumpen") == [case.pk]


def test_spanish_plural_finds_the_singular(open_case, spanish):
    case = open_case(customer=spanish, subject="No sale café", symptom="La bomba hace ruido")

    assert search_case_ids("bombas") == [case.pk]
    assert search_case_ids("BOMBA") == [case.pk]


def test_diacritics_do_not_matter(open_case, spanish):
    case = open_case(customer=spanish, subject="La máquina no calienta", symptom="")

    assert search_case_ids("maquina") == [case.pk]


@pytest.mark.postgres
def test_english_stems_for_an_english_customer(open_case, english):
    case = open_case(customer=english, subject="Machine heats slowly", symptom="")

    assert search_case_ids("heating") == [case.pk]


@pytest.mark.postgres
def test_german_compound_inflection_for_a_german_customer(open_case):
    case = open_case(subject="Dichtungen getauscht", symptom="")

    assert search_case_ids("Dichtung") == [case.pk]


def test_english_plural_on_every_database(open_case, english):
    case = open_case(customer=english, subject="Gasket leaking", symptom="")

    assert search_case_ids("gaskets") == [case.pk]


# --- ranking ----------------------------------------------------------------------------------


def test_subject_and_symptom_rank_above_one_mention_in_the_timeline(open_case, agent):
    strong = open_case(subject="Thermoblock verkalkt", symptom="Thermoblock heizt nicht")
    weak = open_case(subject="Gerät kaputt", symptom="Kunde ruft an")  # newer
    note(agent, weak, "Vielleicht der Thermoblock?")

    assert search_case_ids("thermoblock") == [strong.pk, weak.pk]


def test_equal_rank_lists_the_newest_first(open_case):
    older = open_case(subject="Mühle blockiert", symptom="")
    newer = open_case(subject="Mühle blockiert", symptom="")

    assert search_case_ids("Mühle") == [newer.pk, older.pk]


def test_limit_caps_the_answer(open_case):
    for _ in range(3):
        open_case(subject="Dampflanze ohne Druck", symptom="")

    assert len(search_case_ids("Dampflanze", limit=2)) == 2


# --- the services keep the index current ------------------------------------------------------


def test_timeline_text_written_later_is_found(open_case, agent):
    case = open_case(subject="Gerät kaputt", symptom="")
    assert search_case_ids("Rückrufbitte") == []

    note(agent, case, "Kunde hinterlässt eine Rückrufbitte")

    assert search_case_ids("Rückrufbitte") == [case.pk]


def test_a_changed_diagnosis_replaces_the_old_words(open_case, agent):
    case = open_case(subject="Gerät kaputt", symptom="")
    case = services.update_case(
        actor=agent, channel=Channel.UI, case=case, version=case.version,
        diagnosis="Heizelement verkalkt",
    )  # fmt: skip
    note(agent, case, "Ersatzteil bestellt")
    assert search_case_ids("verkalkt") == [case.pk]

    services.update_case(
        actor=agent, channel=Channel.UI, case=case, version=case.version + 1,
        diagnosis="Magnetventil klemmt",
    )  # fmt: skip

    assert search_case_ids("verkalkt") == []
    assert search_case_ids("Magnetventil") == [case.pk]
    assert search_case_ids("Ersatzteil") == [case.pk]  # the timeline stays in the document


def test_a_changed_subject_replaces_the_old_words(open_case, agent):
    case = open_case(subject="Brühgruppe klemmt", symptom="")

    services.update_case(
        actor=agent, channel=Channel.UI, case=case, version=case.version, subject="Mahlwerk"
    )

    assert search_case_ids("Brühgruppe") == []
    assert search_case_ids("Mahlwerk") == [case.pk]


def test_the_solution_written_on_resolving_is_found(open_case, team_lead, codes):
    case = open_case(subject="Gerät kaputt", symptom="")
    general = next(c for c in codes.values() if c.kind == "resolution" and c.is_general)
    specific = general.children.filter(active=True).first()

    services.resolve_case(
        actor=team_lead, channel=Channel.UI, case=case, resolution_general=general,
        resolution_specific=specific, solution="Schwimmerschalter ersetzt",
    )  # fmt: skip

    assert search_case_ids("Schwimmerschalter") == [case.pk]


def test_the_reason_for_reopening_is_found(open_case, team_lead, codes):
    case = open_case(subject="Gerät kaputt", symptom="")
    general = next(c for c in codes.values() if c.kind == "resolution" and c.is_general)
    case = services.resolve_case(
        actor=team_lead, channel=Channel.UI, case=case, resolution_general=general,
        resolution_specific=general.children.filter(active=True).first(),
    )  # fmt: skip

    services.reopen_case(
        actor=team_lead, channel=Channel.UI, case=case, reason="Tropft wieder am Siebträger"
    )

    assert search_case_ids("Siebträger") == [case.pk]


# --- query syntax -----------------------------------------------------------------------------


def test_words_are_anded_phrases_kept_or_offers_alternatives_and_minus_excludes(open_case):
    loud = open_case(subject="Pumpe laut", symptom="")
    weak = open_case(subject="Pumpe schwach", symptom="")
    frother = open_case(subject="Milchaufschäumer heizt nicht", symptom="")

    assert search_case_ids("pumpe laut") == [loud.pk]
    assert search_case_ids('"pumpe schwach"') == [weak.pk]
    assert search_case_ids('"schwach pumpe"') == []
    assert set(search_case_ids("laut or milchaufschäumer")) == {loud.pk, frother.pk}
    assert search_case_ids("pumpe -laut") == [weak.pk]
    assert search_case_ids("-pumpe") == []  # exclusions alone search nothing


HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    '"unbalanced phrase',
    "((pumpe",
    "pumpe))",
    "*",
    "pump*",
    "NEAR(pumpe laut)",
    "pumpe NEAR laut",
    "pumpe AND OR NOT laut",
    "or",
    "- -- ---",
    "-",
    "!pumpe & laut | :*",
    "'; DROP TABLE cases_case; --",
    "pumpe' OR '1'='1",
    "subject:pumpe",
    "{subject body}: pumpe",
    "^pumpe",
    "pumpe\x00laut",
    "\ud800pumpe",
    "🔥☕️ pumpe 🚒",
    "x" * 10_000,
    "pumpe " * 2_000,
    "\\",
    "%_%",
    "C-2026-",
    "é" * 300,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(open_case, text):
    case = open_case(subject="Pumpe laut", symptom="")

    found = search_case_ids(text)
    listed = list(filter_cases(Case.objects.all(), text))

    assert set(found) <= {case.pk}
    assert {c.pk for c in listed} == set(found)


# --- exact numbers ----------------------------------------------------------------------------


def test_an_exact_case_number_finds_that_case_first(open_case):
    case = open_case(subject="Gerät kaputt", symptom="")
    open_case(subject=f"Siehe {case.number}", symptom="")  # mentions it, newer

    found = search_case_ids(case.number.lower())

    assert found[0] == case.pk


def test_a_serial_number_finds_the_units_cases(open_case, unit_in_warranty, agent):
    case = open_case(subject="Gerät kaputt", symptom="", unit=unit_in_warranty)
    open_case(subject="Anderes Gerät", symptom="")

    assert search_case_ids(unit_in_warranty.serial) == [case.pk]
    assert [c.pk for c in filter_cases(Case.objects.all(), unit_in_warranty.serial)] == [case.pk]


def test_a_word_matching_more_than_the_rank_limit_lists_the_newest_first(
    open_case, unit_in_warranty, monkeypatch
):
    """A common word would cost more to rank the more cases it matches: up to RANK_LIMIT
    matches are ranked best first, more are listed newest first (the case or serial number
    typed still first); a ranked queryset ranks the newest RANK_LIMIT matches only."""
    monkeypatch.setattr(search, "RANK_LIMIT", 2)
    monkeypatch.setattr(search, "ESTIMATE_MARGIN", 10**9)  # no estimates
    old_best = open_case(subject="Kalk Kalk Kalk", symptom="Kalk im Boiler", unit=unit_in_warranty)
    newer = [open_case(subject="Gerät", symptom=f"etwas Kalk {n}") for n in range(2)]

    found = search.find_case_ids("kalk")
    assert (found.count, found.ranked) == (3, False)
    assert found.ids == [newer[1].pk, newer[0].pk, old_best.pk]
    assert search.find_case_ids("boiler") == search.Found(ids=[old_best.pk], count=1)
    assert {c.pk for c in filter_cases(Case.objects.all(), "kalk")} == {c.pk for c in newer}
    every = filter_cases(Case.objects.all(), "kalk", ranked=False).order_by("-received_at", "-id")
    assert [c.pk for c in every] == [*(c.pk for c in reversed(newer)), old_best.pk]
    # the number typed is found wherever it is, above newer cases that mention it
    mentions = [open_case(subject=f"Siehe {old_best.number}", symptom="") for _ in range(2)]
    assert search_case_ids(old_best.number) == [old_best.pk, mentions[1].pk, mentions[0].pk]
    assert filter_cases(Case.objects.all(), old_best.number)[0].pk == old_best.pk


@pytest.mark.postgres
def test_matches_the_planner_expects_to_be_many_are_not_collected(open_case, monkeypatch):
    """Collecting RANK_LIMIT matches of a common word reads as many pages, to learn only that
    there are more: past ESTIMATE_MARGIN times RANK_LIMIT expected ones, the newest are read."""
    older, newer = (open_case(subject="Kalk", symptom="") for _ in range(2))
    monkeypatch.setattr(search, "ESTIMATE_MARGIN", 0)

    matches = search.collect_matches("kalk")

    assert (matches.ids, matches.many, matches.count, matches.few) == (None, True, 2001, False)
    assert search.find_case_ids("kalk") == search.Found(ids=[newer.pk, older.pk], count=2001)


def test_a_word_matching_up_to_the_rank_limit_is_ranked_best_first(open_case, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 2)
    monkeypatch.setattr(search, "ESTIMATE_MARGIN", 10**9)  # no estimates
    strong = open_case(subject="Kalk im Boiler", symptom="Kalk Kalk")
    weak = open_case(subject="Gerät", symptom="etwas Kalk")

    assert search.find_case_ids("kalk") == search.Found(ids=[strong.pk, weak.pk], count=2)
    assert search.find_case_ids("kalk").ranked


def test_count_matches_counts_up_to_the_limit_within_the_queryset(open_case, other_customer):
    for _ in range(3):
        open_case(subject="Kalk im Boiler", symptom="")
    open_case(customer=other_customer, subject="Kalk", symptom="")
    open_case(subject="Mühle", symptom="")
    mine = Case.objects.exclude(customer=other_customer)

    assert search.count_matches(mine, "kalk") == 3
    assert search.count_matches(Case.objects.all(), "kalk", limit=2) == 3  # "more than 2"
    assert search.count_matches(mine, "-kalk") == 0
    assert search.count_matches(mine, "xyzzy") == 0


# --- filtering a queryset ---------------------------------------------------------------------


def test_filter_cases_keeps_the_querysets_restrictions_and_ranks(open_case, other_customer):
    strong = open_case(subject="Kalk im Boiler", symptom="Boiler voller Kalk")
    weak = open_case(subject="Gerät kaputt", symptom="etwas Kalk")
    elsewhere = open_case(customer=other_customer, subject="Kalk", symptom="")

    mine = Case.objects.exclude(customer=other_customer)

    assert [c.pk for c in filter_cases(mine, "kalk")] == [strong.pk, weak.pk]
    assert elsewhere.pk in {c.pk for c in filter_cases(Case.objects.all(), "kalk")}
    by_date = filter_cases(mine, "kalk").order_by("-received_at", "-id")
    assert [c.pk for c in by_date] == [weak.pk, strong.pk]
    assert filter_cases(mine, "kalk").count() == 2


def test_cases_matching_starts_from_what_the_viewer_may_see(open_case, agent):
    case = open_case(subject="Kalk im Boiler", symptom="")

    assert [c.pk for c in selectors.cases_matching(viewer=agent, text="kalk")] == [case.pk]
    assert list(selectors.cases_matching(viewer=AnonymousUser(), text="kalk")) == []


def test_filter_by_ids_keeps_their_order(open_case):
    first = open_case(subject="a", symptom="")
    second = open_case(subject="b", symptom="")

    ids = [first.pk, second.pk]
    assert [c.pk for c in filter_by_ids(Case.objects.all(), ids)] == ids
    assert list(filter_by_ids(Case.objects.all(), [])) == []


# --- rebuilding -------------------------------------------------------------------------------


def _empty_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_casesearch")


@pytest.mark.parametrize("args", [[], ["--batch", "1"]])
def test_reindex_search_rebuilds_the_index(open_case, agent, args, capsys):
    case = open_case(subject="Pumpe laut", symptom="")
    note(agent, case, "Rückrufbitte")
    other = open_case(subject="Mühle blockiert", symptom="")
    _empty_index()
    assert search_case_ids("pumpe") == []

    call_command("reindex_search", *args)

    assert search_case_ids("pumpe") == [case.pk]
    assert search_case_ids("Rückrufbitte") == [case.pk]
    assert search_case_ids("mühle") == [other.pk]
    assert "2 cases indexed" in capsys.readouterr().out

    # the rebuilt index takes the services' changes, and can be rebuilt again
    services.update_case(
        actor=agent, channel=Channel.UI, case=other, version=other.version, subject="Mahlwerk"
    )
    call_command("reindex_search", *args)
    assert search_case_ids("mühle") == []
    assert search_case_ids("mahlwerk") == [other.pk]


def test_reindex_search_refuses_a_batch_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reindex_search", "--batch", "0")


def test_an_event_on_a_case_missing_from_the_index_indexes_it_whole(open_case, agent):
    case = open_case(subject="Pumpe laut", symptom="")
    _empty_index()

    note(agent, case, "Rückrufbitte")

    assert search_case_ids("pumpe") == [case.pk]
    assert search_case_ids("Rückrufbitte") == [case.pk]


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_searching_costs_the_same_queries_at_any_size(open_case, rows, django_assert_num_queries):
    for _ in range(rows):
        open_case(subject="Pumpe laut", symptom="")

    # the matches; on PostgreSQL the planner's estimate first, then the matches inside a
    # savepoint with their own timeout, set and then undone
    count = 1 if connection.vendor != "postgresql" else 6
    with django_assert_num_queries(count + 1):
        assert len(search_case_ids("pumpe")) == rows
    with django_assert_num_queries(1):
        assert len(list(filter_cases(Case.objects.all(), "pumpe"))) == rows
    with django_assert_num_queries(count + 1):
        assert len(search_case_ids("C-2026-000001")) <= 1
    with django_assert_num_queries(0):
        assert search_case_ids("  ") == []


def test_indexing_an_event_costs_one_query(open_case, agent, django_assert_num_queries):
    from caseflow.cases.search import index_event_text

    case = open_case(subject="Pumpe laut", symptom="")

    with django_assert_num_queries(1):
        index_event_text(case, "Rückrufbitte")
    with django_assert_num_queries(0):
        index_event_text(case, "   ")
