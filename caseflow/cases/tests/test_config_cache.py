"""The per-process cache of configuration rows: a change saved in one process reaches the
others through the generation number in Django's cache, within CHECK_EVERY."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from caseflow.cases import config
from caseflow.cases.models import Priority


@pytest.fixture
def urgent(db) -> Priority:
    return Priority.objects.create(
        code="t-urgent", name="Urgent", rank=1, response_minutes=30, resolution_minutes=240
    )


def test_a_save_clears_this_process_at_once(urgent):
    assert config.priority("t-urgent").active
    urgent.active = False
    urgent.save(update_fields=["active"])
    assert not config.priority("t-urgent").active


def test_another_processs_save_is_seen_once_the_generation_moves(urgent, monkeypatch):
    assert config.priority("t-urgent").name == "Urgent"
    # another process changes the row (no signal here) and announces it
    Priority.objects.filter(pk=urgent.pk).update(name="Very urgent")
    assert config.priority("t-urgent").name == "Urgent"  # read within the second: cached
    cache.set(config.GENERATION_KEY, (cache.get(config.GENERATION_KEY) or 0) + 1)
    monkeypatch.setattr(config, "_checked_at", -config.CHECK_EVERY)  # a second has passed
    assert config.priority("t-urgent").name == "Very urgent"


def test_an_unchanged_generation_keeps_the_rows(urgent, django_assert_num_queries):
    config.priorities()
    with django_assert_num_queries(0):
        for _ in range(3):
            config.priorities()
            config.priority("t-urgent")
