"""Configuration in three languages: codes, priorities, event types and product types carry
a name per language on the same row (django-modeltranslation); the per-process cache hands
every reader the name in their language, English where theirs is empty, at no extra query."""

from __future__ import annotations

import pytest
from django.utils import translation

from caseflow.cases import config
from caseflow.cases.models import Code, EventType, Priority
from caseflow.catalog import services as catalog_services
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ("Critical", "Status changed", "Part replaced")),
        ("de", ("Kritisch", "Status geändert", "Teil ersetzt")),
        ("es", ("Crítica", "Estado cambiado", "Pieza sustituida")),
    ],
)
def test_the_shipped_configuration_speaks_three_languages(language, names):
    with translation.override(language):
        part_replaced = next(c for c in config.codes() if c.code == "FIX-PART")
        assert (
            config.priority("P1").name,
            config.event_type("status_changed").name,
            part_replaced.name,
        ) == names


def test_every_shipped_row_has_all_three_names():
    for model in (Priority, Code, EventType):
        for row in model.objects.all():
            assert row.name_en and row.name_de and row.name_es, (model.__name__, row.code)


def test_one_cache_serves_every_language_without_queries(django_assert_num_queries):
    config.event_types(), config.priorities(), config.codes()  # filled once
    with django_assert_num_queries(0):
        for language in ("en", "de", "es", "en"):
            with translation.override(language):
                shown = config.priority("P2").name
                assert shown == {"en": "High", "de": "Hoch", "es": "Alta"}[language]


def test_an_empty_translation_falls_back_to_english():
    Priority.objects.filter(code="P4").update(name_es="", name_de=None)
    config.forget()
    for language in ("en", "de", "es"):
        with translation.override(language):
            assert config.priority("P4").name == "Low"


def test_a_new_row_has_its_name_in_english_too():
    with translation.override("de"):
        row = EventType.objects.create(code="visit", name="Vor-Ort-Besuch", category="scheduling")
    assert (row.name_en, row.name_de, row.name_es) == ("Vor-Ort-Besuch", "Vor-Ort-Besuch", None)
    with translation.override("es"):
        assert EventType.objects.get(code="visit").name == "Vor-Ort-Besuch"


def test_product_types_in_the_readers_language_and_order(back_office):
    for code, name, names in [
        ("GRINDER", "Coffee grinders", {"de": "Kaffeemühlen", "es": "Molinillos"}),
        ("ESPRESSO", "Espresso machines", {"de": "Espressomaschinen"}),
    ]:
        catalog_services.create_product_type(
            actor=back_office, channel=Channel.UI, code=code, name=name, names=names
        )
    entry = AuditEntry.objects.filter(action="catalog.product_type_created").latest("id")
    assert entry.after == {
        "code": "ESPRESSO",
        "name_en": "Espresso machines",
        "name_de": "Espressomaschinen",
        "name_es": None,
    }
    shown = {}
    for language in ("en", "de", "es"):
        with translation.override(language):
            shown[language] = [t.name for t in config.product_types()]
    assert shown == {
        "en": ["Coffee grinders", "Espresso machines"],
        "de": ["Espressomaschinen", "Kaffeemühlen"],
        "es": ["Espresso machines", "Molinillos"],  # no Spanish name: the English one
    }


def test_the_api_gives_product_types_in_the_requested_language(api_as, back_office):
    api = api_as(back_office)
    created = api.post(
        "/api/catalog/product-types",
        {"code": "FROTHER", "name": "Milk frothers", "names": {"de": "Milchaufschäumer"}},
    )
    assert created.status_code == 201, created.content
    assert created.json()["names"] == {"en": "Milk frothers", "de": "Milchaufschäumer"}
    listed = api.client.get(
        "/api/catalog/product-types", headers={**api.headers, "Accept-Language": "de"}
    ).json()
    assert [t["name"] for t in listed] == ["Milchaufschäumer"]
    bad = api.post("/api/catalog/product-types", {"code": "X", "name": "X", "names": {"fr": "X"}})
    assert bad.status_code == 422
