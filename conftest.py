"""Fixtures every app's tests share: users of each role, API clients, database markers."""

from __future__ import annotations

import pytest
from django.db import connection

from caseflow.accounts.models import Role, User
from caseflow.accounts.services import create_api_token


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_brakes():
    """Each test starts with no counts of the brakes kept in Django's cache (bad API tokens,
    web form submissions): an earlier test's failures from 127.0.0.1 must not lock it out."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test ends in the default language: a request of a German or Spanish user
    activates that language for the thread (LocaleMiddleware, the user's preference), and the
    next test's code outside a request (a worker, a command) must not inherit it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_configuration_cache():
    """Each test starts without cached configuration rows of an earlier (rolled-back) one."""
    from caseflow.cases import config

    config.forget()
    yield
    config.forget()


def _user(role: str, username: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-for-tests-only", role=role, first_name=username.title()
    )


@pytest.fixture
def agent(db) -> User:
    return _user(Role.AGENT, "agent")


@pytest.fixture
def technician(db) -> User:
    return _user(Role.TECHNICIAN, "technician")


@pytest.fixture
def team_lead(db) -> User:
    return _user(Role.TEAM_LEAD, "lead")


@pytest.fixture
def back_office(db) -> User:
    return _user(Role.BACK_OFFICE, "backoffice")


@pytest.fixture
def quality_manager(db) -> User:
    return _user(Role.QUALITY_MANAGER, "quality")


@pytest.fixture
def administrator(db) -> User:
    return _user(Role.ADMINISTRATOR, "admin")


class ApiClient:
    """Django's test client with a Bearer token and JSON bodies."""

    def __init__(self, client, user: User) -> None:
        _token, key = create_api_token(actor=None, user=user, name="tests")
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {key}"}

    def _call(self, method: str, path: str, json=None, **kwargs):
        call = getattr(self.client, method)
        if json is not None:
            kwargs.setdefault("content_type", "application/json")
            return call(path, json, headers=self.headers, **kwargs)
        return call(path, headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self._call("get", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self._call("post", path, json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self._call("patch", path, json, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self._call("put", path, json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self._call("delete", path, **kwargs)


@pytest.fixture
def call_customer(agent):
    """Erika Mustermann, reachable at 030 1234567 (stored +49301234567) and
    erika@example.com, made through the service like the desk does."""
    from caseflow.core.models import Channel
    from caseflow.customers.services import create_customer

    return create_customer(
        actor=agent,
        channel=Channel.PHONE,
        kind="person",
        name="Erika Mustermann",
        language="de",
        city="Berlin",
        country="DE",
        phones=["030 1234567"],
        emails=["Erika@Example.com"],
    )


@pytest.fixture
def registered_caller(agent, call_customer) -> dict:
    """`call_customer` with an EM-2000 espresso machine registered 100 days ago, made
    through the services: the caller of the browser journeys.
    {"customer", "registration", "unit"}."""
    from datetime import timedelta

    from django.utils import timezone

    from caseflow.catalog.services import create_product, register_unit
    from caseflow.core.models import Channel

    product = create_product(
        actor=None,
        channel=Channel.IMPORT,
        sku="EM-2000",
        name="Espresso machine EM-2000",
        kind="device",
        is_serialised=True,
        warranty_months=24,
    )
    registration = register_unit(
        actor=agent,
        channel=Channel.PHONE,
        customer=call_customer,
        product=product,
        serial="EM2000-0001",
        purchased_on=timezone.localdate() - timedelta(days=100),
    )
    return {"customer": call_customer, "registration": registration, "unit": registration.unit}


@pytest.fixture
def api_as(client):
    """`api_as(user)` → an API client authenticated with a fresh token of `user`."""
    return lambda user: ApiClient(client, user)
