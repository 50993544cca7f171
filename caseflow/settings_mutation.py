"""Settings for a mutation-testing run (docs/testing.md): the test settings with the test
database in a SQLite file that pytest-django keeps (`--reuse-db`), so each mutant's pytest
session skips the migrations (about 3 s each) and costs only its tests."""

from caseflow.settings_test import *  # noqa: F403
from caseflow.settings_test import DATABASES, VAR_DIR

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "mutation-test.sqlite3")}
