"""The desk's search, the mail intake's subject tag and the SMS intake read the case numbers
that `cases` hands out (one format, in `cases.numbers`)."""

import pytest
from django.db import transaction

from caseflow.cases.numbers import looks_like_case_number, next_case_number
from caseflow.channels.inbound.threads import tagged_numbers
from caseflow.channels.sms.services import CASE_TAG as SMS_NUMBER
from caseflow.desk.selectors import ReadAs, read_as

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("counter", [1, 999_999, 1_000_000])
def test_every_reader_knows_the_numbers_cases_hands_out(counter):
    with transaction.atomic():
        number = next_case_number()
    number = number.rsplit("-", 1)[0] + f"-{counter:06d}"

    assert read_as(number) == [ReadAs.CASE_NUMBER]
    assert looks_like_case_number(number.lower())
    assert tagged_numbers(f"Re: Ihre Anfrage [{number}]") == [number]
    assert SMS_NUMBER.findall(f"Zu {number}: Termin passt") == [number]


def test_a_short_number_is_no_case_number_anywhere():
    short = "C-2026-12345"
    assert read_as(short) != [ReadAs.CASE_NUMBER]
    assert not looks_like_case_number(short)
    assert tagged_numbers(f"[{short}]") == []
    assert SMS_NUMBER.findall(short) == []
