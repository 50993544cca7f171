"""The case number, `C-2026-000123`: its format and how to recognise it, in one place.

`cases` hands the numbers out (`next_case_number`, inside the case's transaction); the desk's
search, the mail intake (`[C-2026-000123]` in a subject) and the SMS intake (a number in the
text) ask this module what one looks like, so they all read the same numbers.
"""

from __future__ import annotations

import re

from caseflow.core.numbering import next_number

PREFIX = "C"
WIDTH = 6  # the counter's digits, zero-padded; a busy year grows past them
MAX_DIGITS = 10

_NUMBER = rf"{PREFIX}-\d{{4}}-\d{{{WIDTH},{MAX_DIGITS}}}"
# A whole input that is a case number ("c-2026-000123" too: people type it lower-case).
CASE_NUMBER = re.compile(rf"^{_NUMBER}$", re.IGNORECASE)
# A case number inside a text (an SMS, a note).
NUMBER_IN_TEXT = re.compile(rf"\b{_NUMBER}\b", re.IGNORECASE)
# The tag in a subject that threads mail to its case: `[C-2026-000123]`.
CASE_TAG = re.compile(rf"\[({_NUMBER})\]", re.IGNORECASE)


def next_case_number() -> str:
    """The next case number of this year (row-locked sequence, the caller's transaction)."""
    return next_number("case", prefix=PREFIX, width=WIDTH)


def looks_like_case_number(text: str) -> bool:
    """Whether `text` (trimmed) is written like a case number."""
    return bool(CASE_NUMBER.match(text.strip()))
