"""Property-based tests of the whole JSON API from its own OpenAPI schema (schemathesis):
whatever a client sends, the answer is never a 500, its status is one the schema declares,
and its body matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from caseflow.wsgi import application

# Building the schema reads no database: it can load at collection time.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, not through Django's test client, so undo
    what the client undoes too: closing "old" connections at each request's end would close
    the test's own transaction on PostgreSQL."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_token_brake(settings):
    """Schemathesis sends many requests with unknown tokens (to see them refused) within one
    test: the brake on them (tested in accounts) would answer 429 to everything after."""
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 0


@pytest.fixture
def auth_header(db, django_user_model):
    from caseflow.accounts.services import create_api_token

    user = django_user_model.objects.create_user("fuzzer", role="administrator")
    _token, key = create_api_token(actor=None, user=user, name="fuzz")
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_breaks_the_api(case, auth_header):
    # Business rules rightly refuse much schema-valid data (id 0 does not exist), and lax
    # parsing accepts 0 for false: those two checks judge the schema, not the service.
    case.call_and_validate(
        headers=auth_header, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
