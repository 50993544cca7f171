import re
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from caseflow.core.models import Sequence
from caseflow.core.numbering import next_number, next_plain_number, next_value

pytestmark = pytest.mark.django_db


def test_numbers_are_consecutive_per_year_and_series():
    with transaction.atomic():
        a = next_number("case", prefix="C", width=6, year=2026)
        b = next_number("case", prefix="C", width=6, year=2026)
        c = next_number("case", prefix="C", width=6, year=2027)
        d = next_plain_number("customer", prefix="CU", width=6)
    assert (a, b, c, d) == ("C-2026-000001", "C-2026-000002", "C-2027-000001", "CU-000001")


def test_a_rolled_back_transaction_gives_its_number_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_value("rma", "2026")
        raise RuntimeError("boom")
    with transaction.atomic():
        assert next_value("rma", "2026") == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_value("case", "2026")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_get_distinct_consecutive_values():
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        try:
            for _ in range(n):
                with transaction.atomic():
                    value = next_value("race", "2026")
                with lock:
                    results.append(value)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take, args=(50,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(results) == list(range(1, 401))
    assert Sequence.objects.get(name="race", period="2026").last_value == 400
    assert all(re.fullmatch(r"\d+", str(v)) for v in results)
