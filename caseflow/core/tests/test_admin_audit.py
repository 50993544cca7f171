"""Every admin registered in `admin.site` either refuses to change rows or writes an audit entry
for each change: adding, the change form, deleting (page and bulk action) and every other
action. A new admin that saves, deletes or acts without an entry fails here; one this test
cannot exercise yet fails too ("add an example"), so nobody forgets to think about it.

Rows are arranged with the ORM (`apps.get_model`), so this test imports no app above core.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from caseflow.core.admin import MASK, AuditedAdmin
from caseflow.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db

# Tables whose rows an admin action may change, looked at before and after each action.
NOT_WATCHED = {"core.auditentry", "core.auditchainhead", "admin.logentry", "sessions.session"}


_numbers = itertools.count(1)


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def n() -> int:
    """A fresh number for unique fields: builders run several times per model."""
    return next(_numbers)


def _customer(**extra: Any) -> models.Model:
    fields = {
        "number": f"CU-X{n():05d}",
        "kind": "organisation",
        "name": "Kaffeehaus",
        "language": "de",
    }
    return model("customers.Customer").objects.create(**{**fields, **extra})


def _case() -> models.Model:
    customer = _customer()
    return model("cases.Case").objects.create(
        number=f"C-2026-{900000 + n()}",
        channel="phone",
        customer=customer,
        subject="Pump is loud",
        case_type="billable",
        suggested_case_type="billable",
        priority=model("cases.Priority").objects.get(is_default=True),
        received_at=timezone.now(),
    )


def _user(name: str = "someone") -> models.Model:
    return model("accounts.User").objects.create_user(
        username=f"{name}{n()}", password="pw-for-tests"
    )


def _token() -> models.Model:
    return model("accounts.ApiToken").objects.create(
        user=_user("tokenowner"), name="PBX", prefix="cf_abc", key_hash=f"{n():064d}"
    )


def _inbound() -> models.Model:
    inbound = model("channels.InboundMessage")(
        mailbox=model("channels.Mailbox").objects.create(
            name=f"in{n()}", address="s@desk.test", owner=_user("mailowner")
        ),
        source="imap",
        sha256=f"{n():064d}",
        size=10,
        status="quarantined",
        reason="could not parse",
    )
    inbound.raw.name = "mail/raw/bb/missing.eml"  # retrying finds no bytes: quarantined again
    inbound.save()
    return inbound


def _outbound() -> models.Model:
    case = _case()
    event = model("cases.TimelineEvent").objects.create(
        case=case,
        event_type=model("cases.EventType").objects.get(code="email_out"),
        occurred_at=timezone.now(),
        channel="email",
        text="Hello",
    )
    return model("channels.OutboundMessage").objects.create(
        kind="email",
        case=case,
        event=event,
        to="erika@example.com",
        body="Hello",
        status="failed",
        attempts=5,
        last_error="550",
    )


def _attempt() -> models.Model:
    return model("axes.AccessAttempt").objects.create(
        username="someone",
        ip_address=f"10.0.0.{n()}",
        failures_since_start=5,
        user_agent="x",
        path_info="/login/",
        get_data="",
        post_data="",
        http_accept="",
    )


def _access_log(label: str) -> Callable[[], models.Model]:
    def build() -> models.Model:
        return model(label).objects.create(
            username="someone",
            ip_address="10.0.0.1",
            user_agent="x",
            path_info="/login/",
            http_accept="",
            attempt_time=timezone.now(),
        )

    return build


def _audit_entry() -> models.Model:
    from django.db import transaction

    from caseflow.core.audit import audit

    with transaction.atomic():
        return audit(actor=None, channel="system", action="x.y", target=_customer())


# One row of every model registered in the admin, in a state its actions can act on.
BUILDERS: dict[str, Callable[[], models.Model]] = {
    "auth.group": lambda: model("auth.Group").objects.create(name=f"Auditors {n()}"),
    "axes.accesslog": _access_log("axes.AccessLog"),
    "axes.accessfailurelog": _access_log("axes.AccessFailureLog"),
    "axes.accessattempt": _attempt,
    "core.auditentry": _audit_entry,
    "core.sequence": lambda: model("core.Sequence").objects.create(name=f"x{n()}", last_value=1),
    "accounts.user": lambda: _user("someone"),
    "accounts.team": lambda: model("accounts.Team").objects.create(name=f"Espresso {n()}"),
    "accounts.apitoken": _token,
    "customers.region": lambda: model("customers.Region").objects.create(
        code=f"N{n()}", name="Nord"
    ),
    "customers.customer": _customer,
    "customers.contact": lambda: model("customers.Contact").objects.create(
        customer=_customer(), name="Erika"
    ),
    "customers.contactpoint": lambda: model("customers.ContactPoint").objects.create(
        contact=(c := model("customers.Contact").objects.create(customer=_customer(), name="E")),
        customer=c.customer,
        kind="email",
        value="erika@example.com",
    ),
    "catalog.producttype": lambda: model("catalog.ProductType").objects.create(
        code=f"GRINDER{n()}", name="Grinders"
    ),
    "catalog.product": lambda: model("catalog.Product").objects.create(
        sku=f"EM-1{n()}", name="Espresso machine", kind="device", price="100.00"
    ),
    "catalog.unit": lambda: model("catalog.Unit").objects.create(
        product=model("catalog.Product").objects.create(
            sku=f"EM-2{n()}", name="Machine", kind="device", is_serialised=True
        ),
        serial="sn1",
    ),
    "catalog.registration": lambda: model("catalog.Registration").objects.create(
        unit=model("catalog.Unit").objects.create(
            product=model("catalog.Product").objects.create(
                sku=f"EM-3{n()}", name="Machine", kind="device", is_serialised=True
            ),
            serial="sn2",
        ),
        customer=_customer(),
        purchased_on=timezone.localdate(),
        registered_on=timezone.localdate(),
        warranty_ends_on=timezone.localdate() + timedelta(days=730),
        channel="card",
    ),
    "catalog.servicecontract": lambda: model("catalog.ServiceContract").objects.create(
        number=f"SC-{n()}",
        customer=_customer(),
        level="basic",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=365),
    ),
    "catalog.salesorder": lambda: model("catalog.SalesOrder").objects.create(
        number=f"SO-{n()}", customer=_customer(), ordered_on=timezone.localdate()
    ),
    "cases.priority": lambda: model("cases.Priority").objects.create(
        code=f"P9{n()}", name="Someday", rank=9, response_minutes=60, resolution_minutes=600
    ),
    "cases.code": lambda: model("cases.Code").objects.create(
        kind="reason", code=f"NOISE{n()}", name="Noise"
    ),
    "cases.eventtype": lambda: model("cases.EventType").objects.create(
        code=f"visit{n()}", name="Visit", category="scheduling"
    ),
    "cases.case": _case,
    "channels.mailbox": lambda: model("channels.Mailbox").objects.create(
        name=f"sales{n()}", address="sales@desk.test", owner=_user("mailowner")
    ),
    "channels.messagetemplate": lambda: model("channels.MessageTemplate").objects.create(
        code=f"thanks{n()}", purpose="reply", name="Thanks", body="Thank you."
    ),
    "channels.inboundmessage": _inbound,
    "channels.outboundmessage": _outbound,
    "channels.agentextension": lambda: model("channels.AgentExtension").objects.create(
        user=_user("phoneagent"), extension=f"20{n()}"
    ),
    "channels.call": lambda: model("channels.Call").objects.create(
        call_id=f"c{n()}", state="ended", number="+49301234567", started_at=timezone.now()
    ),
    "channels.inboundsms": lambda: model("channels.InboundSms").objects.create(
        provider_id=f"p{n()}", sender="+491701234567", text="Hello", sent_at=timezone.now()
    ),
}

# POST data of the add page, for every admin that may add.
ADD: dict[str, Callable[[], dict[str, Any]]] = {
    "auth.group": lambda: {"name": "Readers"},
    "accounts.user": lambda: {
        "username": "newcomer",
        "password1": "a-Long-pass-123!",
        "password2": "a-Long-pass-123!",
        "usable_password": "true",
        "role": "agent",
        "language": "en",
        "time_zone": "Europe/Berlin",
    },
    "accounts.team": lambda: {"name": "Werkstatt", "lead": _user("lead").pk},
    "customers.region": lambda: {"code": "S", "name": "Süd", "country": "DE"},
    "catalog.producttype": lambda: {"code": "BOILER", "name_en": "Boilers", "name_de": "Boiler"},
    "cases.priority": lambda: {
        "code": "P8",
        "name_en": "Later",
        "name_es": "Más tarde",
        "rank": 8,
        "response_minutes": 60,
        "resolution_minutes": 600,
        "active": "on",
    },
    "cases.code": lambda: {
        "kind": "reason",
        "code": "LEAK",
        "name_en": "Leak",
        "name_de": "Undicht",
        "active": "on",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-0-code": "LEAK-HOSE",
        "children-0-name_en": "Hose",
        "children-0-active": "on",
    },
    "cases.eventtype": lambda: {
        "code": "onsite",
        "name_en": "On-site visit",
        "category": "scheduling",
        "active": "on",
    },
    "channels.mailbox": lambda: {
        "name": "service",
        "address": "service@desk.test",
        "owner": _user("mailowner").pk,
        "language": "de",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_folder": "INBOX",
        "imap_done_folder": "",
        "imap_password": "secret",
        "active": "on",
    },
    "channels.messagetemplate": lambda: {
        "code": "sorry",
        "purpose": "reply",
        "name_en": "Sorry",
        "body_en": "Sorry for the wait.",
        "name_de": "Entschuldigung",
        "body_de": "Entschuldigen Sie die Wartezeit.",
        "active": "on",
    },
    "channels.agentextension": lambda: {"extension": "202", "user": _user("phone2").pk},
}

# Which field the change test edits, where the first text field will not do.
CHANGE: dict[str, tuple[str, Any]] = {
    "cases.eventtype": ("name_de", "Vor-Ort-Einsatz"),
    "channels.agentextension": ("extension", "2999"),
}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _url(label: str, view: str, *args: Any) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _entries(**filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def _widget(field: forms.Field) -> forms.Widget:
    widget = field.widget
    return getattr(widget, "widget", widget)  # the admin wraps related-field widgets


def form_data(response: Any) -> dict[str, Any]:
    """What the browser would post back for the change page in `response`, unchanged."""
    data: dict[str, Any] = {}

    def put(name: str, field: forms.Field, value: Any) -> None:
        widget = _widget(field)
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)

    def add(form: forms.BaseForm) -> None:
        for bound in form:
            if not bound.field.disabled:
                put(bound.html_name, bound.field, bound.value())
                if bound.field.show_hidden_initial:  # a field with a callable default
                    put(bound.html_initial_name, bound.field, bound.value())

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def _edit(label: str, form: forms.BaseForm, data: dict[str, Any]) -> str:
    """Change one field in `data`; returns its name."""
    if label in CHANGE:
        name, value = CHANGE[label]
        data[name] = value
        return name
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.ChoiceField | forms.MultiValueField):
            continue
        if isinstance(field, forms.CharField) and not isinstance(
            _widget(field), forms.PasswordInput
        ):
            data[name] = (str(data.get(name) or "") + "x")[-(field.max_length or 50) :]
            return name
    raise AssertionError(f"{label}: say in CHANGE which field the test may edit")


def _tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table an admin shows (the test database holds a few)."""
    found = {}
    for registered in admin.site._registry:
        label = registered._meta.label_lower
        if label not in NOT_WATCHED:
            found[label] = list(registered._base_manager.order_by("pk").values())
    return found


def test_every_registered_admin_audits_its_changes_or_refuses_them(admin_client, superuser):
    request = _request(superuser)
    unknown = sorted(
        m._meta.label_lower for m in admin.site._registry if m._meta.label_lower not in BUILDERS
    )
    assert not unknown, f"add a row of {unknown} to BUILDERS (and think about its audit)"
    for registered, model_admin in admin.site._registry.items():
        label = registered._meta.label_lower
        _adding(admin_client, request, label, model_admin)
        _changing(admin_client, request, label, model_admin)
        _deleting(admin_client, request, label, model_admin)
        _acting(admin_client, request, label, model_admin)
    # Everything recorded by the admin matches the rows: no drift, an intact chain.
    call_command("verify_audit")


def _adding(client: Any, request: Any, label: str, model_admin: Any) -> None:
    if not model_admin.has_add_permission(request):
        assert client.post(_url(label, "add"), {}).status_code == 403, label
        return
    assert label in ADD, f"{label} may be added in the admin: give POST data in ADD"
    response = client.post(_url(label, "add"), ADD[label]())
    assert response.status_code == 302, (label, response.context and _errors(response))
    created = model(label)._base_manager.order_by("-pk").first()
    entries = _entries(target_type=label, target_id=str(created.pk))
    assert [e.action for e in entries] == [f"{model(label)._meta.model_name}.created"], label
    assert (entries[0].channel, entries[0].actor_id) == ("admin", request.user.pk)
    assert entries[0].before is None and entries[0].after, label


def _errors(response: Any) -> Any:
    adminform = response.context.get("adminform")
    return adminform.form.errors if adminform else response.status_code


def _changing(client: Any, request: Any, label: str, model_admin: Any) -> None:
    row = BUILDERS[label]()
    url = _url(label, "change", row.pk)
    if not model_admin.has_change_permission(request, row):
        before = _tables()
        assert client.post(url, {}).status_code == 403, label
        assert _tables() == before, label
        return
    assert isinstance(model_admin, AuditedAdmin), f"{label}: its admin must be an AuditedAdmin"
    page = client.get(url)
    data = form_data(page)

    # Saving without a change writes nothing.
    count = AuditEntry.objects.count()
    before = _tables()
    response = client.post(url, data)
    assert response.status_code == 302, (label, _errors(response))
    assert AuditEntry.objects.count() == count, (label, _entries()[-1].after)
    assert _tables() == before, label

    name = _edit(label, page.context["adminform"].form, data)
    response = client.post(url, data)
    assert response.status_code == 302, (label, _errors(response))
    entries = _entries(target_type=label, target_id=str(row.pk), action__endswith=".updated")
    assert entries, label
    assert name in entries[-1].after and name in entries[-1].before, (label, entries[-1].after)


def _deleting(client: Any, request: Any, label: str, model_admin: Any) -> None:
    for bulk in (False, True):
        row = BUILDERS[label]() if label != "accounts.user" else _user(f"gone{bulk}")
        allowed = model_admin.has_delete_permission(request, row)
        before = _tables()
        if bulk:
            data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [row.pk], "post": "yes"}
            response = client.post(_url(label, "changelist"), data)
        else:
            response = client.post(_url(label, "delete", row.pk), {"post": "yes"})
        if not allowed:  # refused, or no such action (the list again)
            assert response.status_code in (200, 302, 403), label
            assert _tables() == before, label
            continue
        assert response.status_code == 302, label
        assert not model(label)._base_manager.filter(pk=row.pk).exists(), label
        entries = _entries(target_type=label, target_id=str(row.pk))
        assert entries[-1].action.endswith(".deleted"), label
        assert entries[-1].after is None and entries[-1].before, label


def _acting(client: Any, request: Any, label: str, model_admin: Any) -> None:
    for name in model_admin.get_actions(request):
        if name == "delete_selected":
            continue  # _deleting
        row = BUILDERS[label]()
        count = AuditEntry.objects.count()
        before = _tables()
        data = {"action": name, ACTION_CHECKBOX_NAME: [row.pk], "index": 0}
        response = client.post(_url(label, "changelist"), data)
        assert response.status_code in (200, 302), (label, name)
        if _tables() != before:
            assert AuditEntry.objects.count() > count, f"{label}: action {name} is not audited"


# --- the audited base in detail ------------------------------------------------------------


def test_team_membership_is_audited_as_sorted_member_ids(admin_client, superuser):
    team = model("accounts.Team").objects.create(name="Espresso")
    first, second = _user("first"), _user("second")
    url = _url("accounts.team", "change", team.pk)
    data = form_data(admin_client.get(url))
    data["members"] = [str(second.pk), str(first.pk)]

    assert admin_client.post(url, data).status_code == 302

    entry = _entries(chain=f"accounts.team:{team.pk}")[-1]
    assert entry.action == "team.updated"
    assert entry.before == {"members": []}
    assert entry.after == {"members": sorted([first.pk, second.pk])}
    call_command("verify_audit")


def test_a_list_editable_change_is_audited(admin_client):
    priority = BUILDERS["cases.priority"]()
    # the one editable column, "active", unticked
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(priority.pk),
        "_save": "Save",
    }
    response = admin_client.post(_url("cases.priority", "changelist"), data)

    assert response.status_code == 302
    entry = _entries(chain=f"cases.priority:{priority.pk}")[-1]
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_inline_rows_are_audited_in_their_own_chains(admin_client):
    general = BUILDERS["cases.code"]()
    specific = model("cases.Code").objects.create(
        kind="reason", code="NOISE-PUMP", name="Pump", parent=general
    )
    url = _url("cases.code", "change", general.pk)
    data = form_data(admin_client.get(url))
    prefix = next(k for k in data if k.endswith("-0-name_en")).removesuffix("-0-name_en")
    data[f"{prefix}-0-name_en"] = "Pump rattles"
    data[f"{prefix}-0-name_es"] = "La bomba vibra"

    assert admin_client.post(url, data).status_code == 302

    entry = _entries(chain=f"cases.code:{specific.pk}")[-1]
    assert (entry.action, entry.before, entry.after) == (
        "code.updated",
        {"name_en": "Pump", "name_es": None},
        {"name_en": "Pump rattles", "name_es": "La bomba vibra"},
    )

    data = form_data(admin_client.get(url))
    data[f"{prefix}-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    entry = _entries(chain=f"cases.code:{specific.pk}")[-1]
    assert entry.action == "code.deleted" and entry.after is None
    assert entry.before["code"] == "NOISE-PUMP"
    call_command("verify_audit")


def test_secrets_are_recorded_as_set_never_by_value(admin_client):
    response = admin_client.post(_url("channels.mailbox", "add"), ADD["channels.mailbox"]())
    assert response.status_code == 302
    entry = _entries(target_type="channels.mailbox")[-1]
    assert entry.after["imap_password"] == MASK
    assert "secret" not in str(entry.after)


def test_a_password_change_is_audited_without_the_password(admin_client, superuser):
    user = _user("forgetful")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = admin_client.post(
        url,
        {
            "password1": "n3w-Secret-pass",
            "password2": "n3w-Secret-pass",
            "usable_password": "true",
            "set_usable_password": "true",
        },
    )
    assert response.status_code == 302, _errors(response)
    entry = _entries(chain=f"accounts.user:{user.pk}")[-1]
    assert (entry.action, entry.after) == ("user.password_changed", {"password": MASK})


def test_a_deletion_that_would_change_other_rows_is_refused(admin_client):
    group = BUILDERS["auth.group"]()
    _user("member").groups.add(group)  # the users' own many-to-many rows would go
    count = AuditEntry.objects.count()

    response = admin_client.post(_url("auth.group", "delete", group.pk), {"post": "yes"})

    assert response.status_code == 200
    assert "Deactivate or archive it instead" in response.content.decode()
    assert model("auth.Group").objects.filter(pk=group.pk).exists()
    assert AuditEntry.objects.count() == count


def test_a_team_with_members_can_go_and_says_who_was_in_it(admin_client):
    team = model("accounts.Team").objects.create(name="Gone")
    member = _user("member")
    team.members.add(member)

    response = admin_client.post(_url("accounts.team", "delete", team.pk), {"post": "yes"})

    assert response.status_code == 302
    entry = _entries(chain=f"accounts.team:{team.pk}")[-1]
    assert entry.action == "team.deleted"
    assert entry.before["members"] == [member.pk]
    call_command("verify_audit")  # the deleted row is expected to be gone


def test_only_a_superuser_hands_out_superuser_status(client):
    administrator = model("accounts.User").objects.create_user(
        username="admin", password="pw", role="administrator", is_staff=True
    )
    victim = _user("victim")
    client.force_login(administrator)
    url = _url("accounts.user", "change", victim.pk)
    data = form_data(client.get(url))
    data["is_superuser"] = "on"

    assert client.post(url, data).status_code == 302

    victim.refresh_from_db()
    assert not victim.is_superuser


def test_chain_heads_are_not_touched_by_an_unchanged_save(admin_client):
    row = BUILDERS["customers.region"]()
    url = _url("customers.region", "change", row.pk)
    admin_client.post(url, form_data(admin_client.get(url)))
    assert not AuditChainHead.objects.filter(chain=f"customers.region:{row.pk}").exists()
