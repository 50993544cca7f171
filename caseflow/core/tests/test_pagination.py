import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseflow.accounts.models import User
from caseflow.core.errors import DomainError
from caseflow.core.pagination import keyset_page

pytestmark = pytest.mark.django_db


def _users(n: int) -> None:
    User.objects.bulk_create(
        [User(username=f"u{i:03d}", first_name="Same" if i % 2 else "Other") for i in range(n)]
    )


def test_pages_cover_every_row_once_in_order():
    _users(25)
    seen = []
    cursor = None
    for _ in range(10):
        page = keyset_page(
            User.objects.all(), ordering=("first_name", "-id"), cursor=cursor, limit=7
        )
        seen.extend(u.pk for u in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = list(User.objects.order_by("first_name", "-id").values_list("pk", flat=True))
    assert seen == expected


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WzFd", "!!!", "W251bGwsICJ4Il0"])
def test_a_bad_cursor_is_a_clear_error(cursor):
    with pytest.raises(DomainError) as exc:
        keyset_page(User.objects.all(), ordering=("-date_joined", "-id"), cursor=cursor, limit=5)
    assert exc.value.field == "cursor"


@pytest.mark.parametrize("limit", [0, -1, 201])
def test_limit_is_bounded(limit):
    with pytest.raises(DomainError):
        keyset_page(User.objects.all(), ordering=("-id",), cursor=None, limit=limit)


def test_a_cursor_bounds_the_first_sort_field_so_an_index_starts_at_the_cursor():
    """(a < va) OR (a = va AND id < vid) is no index range: without `a <= va` ANDed on, a
    deep page read every row before the cursor."""
    _users(5)
    first = keyset_page(User.objects.all(), ordering=("-date_joined", "-id"), cursor=None, limit=2)

    with CaptureQueriesContext(connection) as queries:
        keyset_page(
            User.objects.all(), ordering=("-date_joined", "-id"), cursor=first.next_cursor, limit=2
        )
    where = queries[0]["sql"].split(" WHERE ", 1)[1]
    assert where.startswith('("accounts_user"."date_joined" <= ') and " AND (" in where
