"""Settings come from the environment: malformed values are refused at start-up, production
needs a secret key, and `check --deploy` passes with the production variables alone."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from caseflow import settings

SETTINGS_FILE = Path(settings.__file__)
MANAGE_PY = settings.BASE_DIR / "manage.py"

# Secrets a developer may have exported; a fresh settings load must not see them.
SECRETS = ("SECRET_KEY", "SECRET_KEY_FILE")


def load_settings() -> ModuleType:
    """Execute caseflow/settings.py afresh, as a process start would, under its own name."""
    spec = importlib.util.spec_from_file_location("caseflow_settings_probe", SETTINGS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def laptop_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean laptop environment: DEBUG on, no secrets, an SQLite file in a temporary folder."""
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("CASEFLOW_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return monkeypatch


# --- the typed readers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False),
     ("no", False), ("FALSE", False), ("", False)],
)  # fmt: skip
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CASEFLOW_TEST_FLAG", raw)
    assert settings.env_bool("CASEFLOW_TEST_FLAG", not expected) is expected


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("CASEFLOW_TEST_FLAG", raising=False)
    assert settings.env_bool("CASEFLOW_TEST_FLAG", True) is True
    assert settings.env_bool("CASEFLOW_TEST_FLAG") is False


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y e s"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("CASEFLOW_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="CASEFLOW_TEST_FLAG must be true or false"):
        settings.env_bool("CASEFLOW_TEST_FLAG")


def test_env_int_reads_numbers_and_defaults_when_empty(monkeypatch):
    monkeypatch.setenv("CASEFLOW_TEST_INT", "42")
    assert settings.env_int("CASEFLOW_TEST_INT", 7) == 42
    monkeypatch.setenv("CASEFLOW_TEST_INT", "  ")
    assert settings.env_int("CASEFLOW_TEST_INT", 7) == 7
    monkeypatch.delenv("CASEFLOW_TEST_INT")
    assert settings.env_int("CASEFLOW_TEST_INT", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "20MB", "0x10"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv("CASEFLOW_TEST_INT", raw)
    with pytest.raises(ImproperlyConfigured, match="CASEFLOW_TEST_INT must be a whole number"):
        settings.env_int("CASEFLOW_TEST_INT", 1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("CASEFLOW_TEST_LIST", " a.example, ,b.example ,")
    assert settings.env_list("CASEFLOW_TEST_LIST", ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv("CASEFLOW_TEST_LIST")
    assert settings.env_list("CASEFLOW_TEST_LIST", ["x"]) == ["x"]


def test_env_secret_reads_the_file_named_by_name_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_TEST_SECRET", "from-variable")
    monkeypatch.setenv("CASEFLOW_TEST_SECRET_FILE", str(secret_file))
    assert settings.env_secret("CASEFLOW_TEST_SECRET") == "s3cret-from-file"


def test_env_secret_refuses_a_missing_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEFLOW_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="CASEFLOW_TEST_SECRET_FILE: cannot read"):
        settings.env_secret("CASEFLOW_TEST_SECRET")


# --- the settings module as a whole ---------------------------------------------------------


def test_laptop_defaults_load_without_any_secret(laptop_env):
    loaded = load_settings()
    assert loaded.DEBUG is True
    assert loaded.SECRET_KEY  # the laptop-only key
    assert loaded.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded.SECURE_SSL_REDIRECT is False


@pytest.mark.parametrize("url", ["garbage", "postgres://user:pw@host:notaport/db", "://nothing"])
def test_a_malformed_database_url_is_refused(laptop_env, url):
    laptop_env.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a database URL"):
        load_settings()


def test_cache_url_selects_a_shared_redis_cache_and_refuses_other_schemes(laptop_env):
    assert "locmem" in load_settings().CACHES["default"]["BACKEND"]
    laptop_env.setenv("CACHE_URL", "redis://127.0.0.1:6379/1")
    cache = load_settings().CACHES["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/1"
    laptop_env.setenv("CACHE_URL", "memcached://somewhere")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        load_settings()


def test_a_postgres_url_selects_psycopg_with_health_checks(laptop_env):
    laptop_env.setenv("DATABASE_URL", "postgres://caseflow:pw@db.internal:5433/caseflow")
    db = load_settings().DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.internal", 5433, "caseflow")
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number"),
        ("DB_CONN_MAX_AGE", "forever", "DB_CONN_MAX_AGE must be a whole number"),
        ("SECURE_SSL_REDIRECT", "sometimes", "SECURE_SSL_REDIRECT must be true or false"),
    ],
)
def test_a_malformed_variable_stops_the_start(laptop_env, name, value, message):
    laptop_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings()


def test_secret_key_is_required_when_debug_is_off(laptop_env):
    laptop_env.setenv("DEBUG", "false")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        load_settings()


def test_an_empty_secret_key_counts_as_missing(laptop_env):
    laptop_env.setenv("DEBUG", "false")
    laptop_env.setenv("SECRET_KEY", "")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        load_settings()


def test_secret_key_may_come_from_a_file(laptop_env, tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "key").write_text(key + "\n", encoding="utf-8")
    laptop_env.setenv("DEBUG", "false")
    laptop_env.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    loaded = load_settings()
    assert key == loaded.SECRET_KEY
    assert loaded.DEBUG is False
    assert loaded.SECURE_SSL_REDIRECT is True
    assert loaded.SESSION_COOKIE_SECURE is True


# --- check --deploy -------------------------------------------------------------------------


def production_env(tmp_path: Path) -> dict[str, str]:
    """Only what a production host sets, nothing inherited from the test run."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TZ") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="caseflow.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48)[:50],
        ALLOWED_HOSTS="desk.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'caseflow.sqlite3'}",
        CASEFLOW_VAR_DIR=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(MANAGE_PY), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


# --- documentation --------------------------------------------------------------------------

README = settings.BASE_DIR / "README.md"
# The readers settings.py uses; `NAME_FILE` of env_secret is documented with NAME.
READ_VARIABLE = re.compile(
    r"""(?:env_(?:str|bool|int|list|secret)|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def test_readme_documents_every_variable_settings_reads():
    variables = set(READ_VARIABLE.findall(SETTINGS_FILE.read_text(encoding="utf-8")))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= variables  # the pattern still matches
    readme = README.read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[-1].split("\n## ", 1)[0]
    missing = sorted(name for name in variables if f"| `{name}`" not in table)
    assert not missing, f"README.md, Configuration: add a row for {', '.join(missing)}"
