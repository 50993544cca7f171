"""The admin speaks the administrator's language: the model and field names of our apps on
the changelists and change forms of a case, a customer and a code (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow.accounts.models import Role, User
from caseflow.cases import services as case_services
from caseflow.cases.models import Code
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db

# (language, what each page must say, English it must not say)
EXPECTED = {
    "de": {
        "case_list": ["Vorgänge", "Betreff", "Vorgangsart", "Priorität", "Bearbeiter", "Offen"],
        "case_form": ["Vorgang", "Vorgangsart", "Ursachencode (allgemein)", "Eingegangen am",
                      "Zugesagt bis", "Diagnose", "Lösung", "Telefon", "Kostenpflichtig"],
        "customer_list": ["Kunden", "Kundennummer", "Art"],
        "customer_form": ["Kunde", "Kundennummer", "Kundenbetreuer", "Sprache", "Postleitzahl",
                          "Ansprechpartner", "Hauptansprechpartner"],
        "code_list": ["Codes", "Art", "Ursache"],
        "code_form": ["Code", "Übergeordneter Code", "Aktiv", "Ursache"],
    },
    "es": {
        "case_list": ["Casos", "Asunto", "Tipo de caso", "Prioridad", "Responsable"],
        "case_form": ["Caso", "Tipo de caso", "Código de causa (general)", "Fecha de recepción",
                      "Diagnóstico", "Solución", "Teléfono", "Facturable"],
        "customer_list": ["Clientes", "Número de cliente"],
        "customer_form": ["Cliente", "Número de cliente", "Gestor de cuenta", "Idioma",
                          "Código postal", "Contacto principal"],
        "code_list": ["Códigos", "Tipo", "Causa"],
        "code_form": ["Código", "Código superior", "Activo", "Causa"],
    },
}  # fmt: skip
ENGLISH = ["Case type", "Received at", "Account manager", "Customer number", "Primary contact",
           "Select case to change", "Reason (general)"]  # fmt: skip


@pytest.fixture
def pages(client, agent, call_customer):
    """The six admin pages, keyed by name: the changelist and change form of a case, a
    customer and a code."""
    case = case_services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=call_customer,
        contact=call_customer.contacts.get(),
        subject="Pump is loud",
    )
    code = Code.objects.create(kind="reason", code="NOISE", name="Noise")
    return {
        "case_list": reverse("admin:cases_case_changelist"),
        "case_form": reverse("admin:cases_case_change", args=[case.pk]),
        "customer_list": reverse("admin:customers_customer_changelist"),
        "customer_form": reverse("admin:customers_customer_change", args=[call_customer.pk]),
        "code_list": reverse("admin:cases_code_changelist"),
        "code_form": reverse("admin:cases_code_change", args=[code.pk]),
    }


@pytest.mark.parametrize("language", ["de", "es"])
def test_the_admin_names_our_models_and_fields_in_the_users_language(client, pages, language):
    admin = User.objects.create_user(
        username="admin-i18n",
        password="pw",
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,  # customers are no role-governed admin model
    )
    admin.language = language
    admin.save(update_fields=["language"])
    client.force_login(admin)

    for page, url in pages.items():
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, (page, response.status_code)
        html = response.content.decode()
        assert response["Content-Language"] == language
        missing = [word for word in EXPECTED[language][page] if word not in html]
        assert not missing, (page, missing)
        english = [word for word in ENGLISH if word in html]
        assert not english, (page, english)


def test_a_browser_asking_for_german_gets_the_admin_in_german_without_a_profile_language(
    client, pages
):
    admin = User.objects.create_user(
        username="admin-browser",
        password="pw",
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )
    User.objects.filter(pk=admin.pk).update(language="")
    client.force_login(admin)

    response = client.get(pages["case_list"], headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert response.status_code == 200
    assert "Vorgangsart" in response.content.decode()
