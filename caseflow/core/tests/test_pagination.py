import pytest

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
