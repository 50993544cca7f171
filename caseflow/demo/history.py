"""Replaying the demo history: a simulated clock, time-ordered steps and case plans."""

from __future__ import annotations

import random
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from caseflow.cases.models import CaseStatus
from caseflow.catalog.models import Registration
from caseflow.demo.data import Scenario


class Clock:
    """The simulated "now" while the history is replayed; each reading moves on 1 ms so
    entries written in one step keep their order."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def set(self, moment: datetime) -> None:
        self.current = max(self.current, moment)

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current.astimezone(ZoneInfo("UTC"))


@contextmanager
def simulated_clock(start: datetime) -> Iterator[Clock]:
    """Let `django.utils.timezone.now` read `Clock` (services, auto_now fields, audit)."""
    clock = Clock(start)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def ascii_slug(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain).replace(umlaut.upper(), plain.title())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def tiny_png(rng: random.Random) -> bytes:
    """A small grey-brown PNG: the "photo" of a dented housing."""
    width, height = 16, 12
    shade = rng.randrange(90, 160)
    raw = b"".join(b"\x00" + bytes((shade, shade - 20, shade - 40)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def fits(scenario: Scenario, status: str) -> bool:
    """Whether a case of `scenario` can sensibly be in the active `status`."""
    if status in (CaseStatus.WAITING_PARTS, CaseStatus.WAITING_VENDOR):
        return scenario.waiting == status
    if status == CaseStatus.WAITING_CUSTOMER:
        return scenario.waiting in (None, CaseStatus.WAITING_CUSTOMER)
    return True


@dataclass(order=True)
class Step:
    """One thing that happens in the company's history, replayed at `at`."""

    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class CasePlan:
    """What becomes of one case: decided up front, replayed step by step."""

    status: str
    scenario: Scenario
    resolution: str  # the specific resolution code it ends with (if it ends)
    received: datetime
    registration: Registration | None
    priority: str
    channel: str
