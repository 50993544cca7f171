"""What the demo's planners share: the dice, the calendar, the staff and configuration, and
the history's steps waiting to be replayed on the simulated clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from caseflow.accounts.models import Team, User
from caseflow.cases.models import Code, CodeKind, Priority
from caseflow.customers.models import Region
from caseflow.demo.data import PASSWORD, REGIONS, STAFF, TEAMS
from caseflow.demo.history import Step, simulated_clock


class World:
    """One run of `seed_demo`: planners add steps (`add`), `run` replays them in time order.

    The dice are seeded (demo data, not secrets), so every run plans the same company.
    """

    def __init__(self, *, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        self.real_now = timezone.now()
        self.steps: list[Step] = []

    # --- time ---------------------------------------------------------------------------

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A moment in office hours on `day` (moved to Monday from a weekend)."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour = self.rng.randrange(8, 18) if hour is None else hour
        moment = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.tz)
        return min(moment, self.real_now - timedelta(minutes=5))

    def office(self, moment: datetime) -> datetime:
        """`moment`, or the next working morning when it falls outside 8:00 to 18:00."""
        local = moment.astimezone(self.tz)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
        return self.at(day, 8)

    def add(self, at: datetime, run: Callable[[], None]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def run(self, *, start: datetime | date) -> None:
        """Replay the planned steps in time order, the clock starting at `start`."""
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, time(7), tzinfo=self.tz)
        with simulated_clock(start) as clock:
            for step in sorted(self.steps):
                clock.set(step.at)
                step.run()
        self.steps = []

    # --- configuration: staff, teams, regions --------------------------------------------

    def configure(self) -> None:
        """Staff, teams and regions are configuration (the admin edits them), not business
        records, so they are written directly."""
        self.staff: dict[str, User] = {}
        for username, first, last, role, language, tz in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, role=role)
                user.email = f"{username}@baristo.example"
                user.language, user.time_zone, user.is_staff = language, tz, True
                user.set_password(PASSWORD)
                user.save()
            self.staff[username] = user
        for name, lead, members in TEAMS:
            team, _created = Team.objects.get_or_create(
                name=name, defaults={"lead": self.staff[lead]}
            )
            team.members.add(*(self.staff[m] for m in members))
        self.teams = {t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])}
        for code, name, country in REGIONS:
            Region.objects.get_or_create(code=code, defaults={"name": name, "country": country})
        self.regions = {r.code: r for r in Region.objects.all()}
        self.priorities = {p.code: p for p in Priority.objects.all()}
        self.reasons = {c.code: c for c in Code.objects.filter(kind=CodeKind.REASON)}
        self.resolutions = {c.code: c for c in Code.objects.filter(kind=CodeKind.RESOLUTION)}
