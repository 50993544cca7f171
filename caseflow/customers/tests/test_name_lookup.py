"""Name lookups: the start of any word of a customer's (or a contact's) name, ignoring case
and accents, German umlauts typed either way; the name index the services keep current."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseflow.core.models import Channel
from caseflow.customers import selectors, services
from caseflow.customers.models import Customer, NameWord
from caseflow.customers.names import name_words, query_terms

pytestmark = pytest.mark.django_db


# --- the words of a name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Heike Zimmermann", ["heike", "zimmermann"]),
        ("Panadería La Espiga S.L.", ["panaderia", "la", "espiga", "s", "l"]),
        ("Bäckerei Müller", ["backerei", "baeckerei", "muller", "mueller"]),
        ("STRAẞE Ölmühle", ["strasse", "olmuhle", "oelmuehle"]),
        ("Café O'Brien-Nuñez", ["cafe", "obrien", "o", "brien", "nunez"]),
        ("Søren Æbelø Łódź", ["soren", "aebelo", "lodz"]),
        ("100% Bio_Kaffee", ["100", "bio", "kaffee"]),
        ("  ", []),
    ],
)
def test_a_name_is_stored_as_folded_words_with_both_umlaut_spellings(name, words):
    assert name_words(name) == words


def test_long_names_are_bounded():
    assert all(len(word) <= 40 for word in name_words("A" * 500))
    assert len(name_words(" ".join(f"w{i}" for i in range(100)))) == 16


def test_what_was_typed_becomes_terms_of_alternative_prefixes():
    assert query_terms("Müll anna") == [("mull", "muell"), ("anna",)]
    assert query_terms("PANADERÍA") == [("panaderia",)]
    assert query_terms("Baeckerei") == [("baeckerei",)]
    assert query_terms("%_%") == []
    assert query_terms("a b c d e f g") == [("a",), ("b",), ("c",), ("d",), ("e",)]


# --- looking customers up -----------------------------------------------------------------------


@pytest.fixture
def people(agent) -> dict[str, Customer]:
    made = {}
    for name in (
        "Heike Zimmermann",
        "Panadería La Espiga S.L.",
        "Bäckerei Schmidt GmbH",
        "Mueller Bernd",
        "Anna Müller",
        "Großhandel Straße KG",
        "100% Bio KG",
        "100_Prozent AG",
    ):
        made[name] = services.create_customer(
            actor=agent, channel=Channel.UI, kind="organisation", name=name
        )
    return made


def names(found) -> list[str]:
    return [customer.name for customer in found]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Zimmermann", ["Heike Zimmermann"]),  # a surname
        ("zimm", ["Heike Zimmermann"]),
        ("heike z", ["Heike Zimmermann"]),
        ("ZIMMERMANN heike", ["Heike Zimmermann"]),  # any order
        ("panaderia", ["Panadería La Espiga S.L."]),  # accents need not be typed
        ("PANADERÍA espiga", ["Panadería La Espiga S.L."]),
        ("Baeckerei", ["Bäckerei Schmidt GmbH"]),  # ä typed as ae
        ("backerei", ["Bäckerei Schmidt GmbH"]),  # … or as a
        ("bäck", ["Bäckerei Schmidt GmbH"]),
        ("Müller", ["Anna Müller", "Mueller Bernd"]),  # both spellings, in name order
        ("mueller", ["Anna Müller", "Mueller Bernd"]),
        ("muller", ["Anna Müller"]),
        ("strasse", ["Großhandel Straße KG"]),
        ("grosshandel", ["Großhandel Straße KG"]),
        ("100%", ["100% Bio KG", "100_Prozent AG"]),  # wildcards are plain text
        ("immermann", []),  # the start of a word, not the middle
        ("heike x", []),  # every typed word must match
        ("%", []),
        ("  ", []),
        ("\U0010ffff", []),
        ("\ud800\x00", []),
    ],
)
def test_any_word_of_a_name_matches_ignoring_case_and_accents(people, typed, expected):
    assert names(selectors.customers_by_name_prefix(typed)) == expected


def test_archived_customers_are_left_out_unless_asked(people, agent):
    heike = people["Heike Zimmermann"]
    services.archive_customer(actor=agent, channel=Channel.UI, customer=heike)

    assert selectors.customers_by_name_prefix("zimmermann") == []
    assert selectors.customers_by_name_prefix("zimmermann", include_archived=True) == [heike]
    services.restore_customer(actor=agent, channel=Channel.UI, customer=heike)
    assert selectors.customers_by_name_prefix("zimmermann") == [heike]


def test_the_limit_counts_customers_not_words(people):
    assert len(selectors.customers_by_name_prefix("m", limit=1)) == 1
    # Anna Müller matches "mu" twice (muller, mueller): still two customers
    assert names(selectors.customers_by_name_prefix("mu", limit=2)) == [
        "Anna Müller",
        "Mueller Bernd",
    ]


def test_a_name_lookup_is_one_query(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(selectors.name_matches("heike zimm")) == 1
    with django_assert_num_queries(1):
        assert len(selectors.name_matches("mü")) == 2


def test_contacts_names_match_and_say_which_contact(people, agent):
    bakery = people["Bäckerei Schmidt GmbH"]
    contact = services.add_contact(
        actor=agent, channel=Channel.UI, customer=bakery, name="Jürgen Köhler"
    )

    assert selectors.name_matches("koehler") == [selectors.NameMatch(bakery.pk, contact.pk)]
    assert selectors.name_matches("schmidt") == [selectors.NameMatch(bakery.pk, None)]
    # words of the customer and of its contact together
    assert selectors.name_matches("bäckerei jürgen") == [selectors.NameMatch(bakery.pk, None)]
    # the customer list and customers_by_name_prefix go by the customers' own names
    assert selectors.name_matches("koehler", contacts=False) == []
    assert selectors.customers_by_name_prefix("köhler") == []


# --- the index follows every change --------------------------------------------------------------


def test_the_services_keep_the_index_current(agent):
    customer = services.create_customer(
        actor=agent, channel=Channel.UI, kind="person", name="Heike Zimmermann",
        phones=["+49 30 1234567"],
    )  # fmt: skip
    contact = customer.contacts.get()  # named like the customer: no second set of words
    assert sorted(NameWord.objects.values_list("word", "contact")) == [
        ("heike", None),
        ("zimmermann", None),
    ]

    customer = services.update_customer(
        actor=agent, channel=Channel.UI, customer=customer, version=1, name="Heike Weiß"
    )
    assert selectors.customers_by_name_prefix("zimmermann") == []
    assert selectors.customers_by_name_prefix("weiss") == [customer]
    # the contact kept its name: now it has words of its own
    assert selectors.name_matches("zimmermann") == [selectors.NameMatch(customer.pk, contact.pk)]

    services.update_contact(actor=agent, channel=Channel.UI, contact=contact, name="Heike Weiß")
    assert selectors.name_matches("zimmermann") == []

    other = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="Öztürk")
    assert selectors.name_matches("ozturk") == [selectors.NameMatch(customer.pk, other.pk)]
    services.archive_contact(actor=agent, channel=Channel.UI, contact=other)
    assert selectors.name_matches("ozturk") == []


def test_a_refused_change_leaves_the_index_alone(agent):
    from caseflow.core.errors import Conflict

    customer = services.create_customer(
        actor=agent, channel=Channel.UI, kind="person", name="Heike Zimmermann"
    )
    with pytest.raises(Conflict):
        services.update_customer(
            actor=agent, channel=Channel.UI, customer=customer, version=7, name="Anna Weiß"
        )
    assert selectors.customers_by_name_prefix("zimmermann") == [customer]
    assert selectors.customers_by_name_prefix("weiss") == []


def test_rebuild_name_index_finds_customers_loaded_without_the_services(agent, capsys):
    loaded = Customer.objects.create(number="CU-900001", kind="person", name="Lucía Pérez")
    assert selectors.customers_by_name_prefix("perez") == []  # a bulk load bypasses the index

    call_command("rebuild_name_index", "--batch", "1")

    assert selectors.customers_by_name_prefix("perez") == [loaded]
    assert "2 name words indexed" in capsys.readouterr().out
    call_command("rebuild_name_index")  # again: the same rows, not twice as many
    assert NameWord.objects.count() == 2


def test_rebuild_name_index_refuses_a_bad_batch_size():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rebuild_name_index", "--batch", "0")


def test_the_migration_fills_the_index_from_existing_names(agent):
    """The migration's backfill is `names.build_index` with the historical models."""
    from django.apps import apps as current

    from caseflow.customers.names import build_index

    customer = services.create_customer(
        actor=agent, channel=Channel.UI, kind="organisation", name="Panadería Sol",
        contact_name="José Núñez",
    )  # fmt: skip
    services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="Old Contact")
    services.archive_contact(
        actor=agent, channel=Channel.UI, contact=customer.contacts.get(name="Old Contact")
    )
    before = sorted(NameWord.objects.values_list("word", "customer", "contact"))
    NameWord.objects.all().delete()

    written = build_index(
        customer_model=current.get_model("customers", "Customer"),
        contact_model=current.get_model("customers", "Contact"),
        word_model=NameWord,
        using="default",
    )

    assert written == len(before) == 4  # panaderia, sol, jose, nunez; no archived contact
    assert sorted(NameWord.objects.values_list("word", "customer", "contact")) == before
