"""core.rows: plain statements must build and store exactly what the ORM would."""

from datetime import timedelta

import pytest
from django.db import connection, models, transaction
from django.utils import timezone

from caseflow.accounts.models import ApiToken, Role, User
from caseflow.core import rows
from caseflow.core.models import AuditChainHead, AuditEntry, Channel

pytestmark = pytest.mark.django_db


def _values(obj: models.Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user(username="ria", role=Role.AGENT, first_name="Ria")


def _entry(user: User, **changes) -> AuditEntry:
    fields = {
        "chain": "tests.thing:1",
        "seq": 1,
        "created_at": timezone.now(),
        "actor": user,
        "actor_label": user.username if user else "system",
        "channel": Channel.API,
        "action": "thing.made",
        "target_type": "tests.thing",
        "target_id": "1",
        "before": None,
        "after": {"price": "9.90", "tags": ["a", "ü"], "nested": {"n": 1}},
        "prev_hash": "0" * 64,
        "hash": "f" * 64,
    }
    return AuditEntry(**{**fields, **changes})


def test_a_row_read_by_key_equals_the_orm_instance(user):
    entry = _entry(user)
    entry.save()

    found = rows.Reader(AuditEntry).get(entry.pk)

    assert type(found) is AuditEntry
    assert _values(found) == _values(AuditEntry.objects.get(pk=entry.pk))
    assert found.after["tags"] == ["a", "ü"]  # JSON converted back, not a string
    assert timezone.is_aware(found.created_at)
    assert not found._state.adding and found._state.db == "default"
    assert rows.Reader(AuditEntry).get(entry.pk + 1000) is None


def test_a_joined_row_comes_with_its_related_row(user, django_assert_num_queries):
    token = ApiToken.objects.create(user=user, name="t", prefix="cf_abc", key_hash="a" * 64)
    reader = rows.Reader(ApiToken, related="user")

    with django_assert_num_queries(1):
        found = reader.first("t.key_hash = %s AND t.revoked_at IS NULL", ["a" * 64])
        assert found.user.username == "ria"
    assert _values(found) == _values(token)
    assert _values(found.user) == _values(User.objects.get(pk=user.pk))

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert reader.first("t.key_hash = %s AND t.revoked_at IS NULL", ["a" * 64]) is None


def test_insert_stores_what_save_would(user):
    entry = _entry(user)
    rows.insert(entry)

    assert entry.pk is not None and not entry._state.adding
    assert _values(AuditEntry.objects.get(pk=entry.pk)) == _values(entry)
    # auto_now_add is filled in on the object, as save() does
    token = ApiToken(user=user, name="t", prefix="cf_abc", key_hash="b" * 64)
    rows.insert(token)
    assert timezone.now() - token.created_at < timedelta(minutes=1)
    assert ApiToken.objects.get(pk=token.pk).created_at == token.created_at
    # a given key is stored as it is
    head = AuditChainHead(chain="tests.thing:1", last_seq=1, last_hash="f" * 64)
    rows.insert(head)
    assert AuditChainHead.objects.get(chain="tests.thing:1").last_seq == 1


def test_insert_refuses_an_unsaved_related_object_and_takes_a_later_saved_ones_key():
    later = User(username="later", role=Role.AGENT)
    token = ApiToken(user=later, name="t", prefix="cf_abc", key_hash="c" * 64)
    with pytest.raises(ValueError, match="unsaved related object"):
        rows.insert(token)
    later.save()
    rows.insert(token)
    assert ApiToken.objects.get(pk=token.pk).user_id == later.pk


def test_a_reserved_key_is_the_next_one_the_table_would_give():
    with transaction.atomic():
        reserved = rows.reserve_pk(AuditEntry)
    if connection.vendor != "postgresql":
        assert reserved is None
        return
    with transaction.atomic():
        assert rows.reserve_pk(AuditEntry) == reserved + 1
        entry = _entry(None)
        rows.insert(entry)
    assert entry.pk == reserved + 2
