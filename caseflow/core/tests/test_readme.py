"""The README's commands work as written: its PostgreSQL set-up and API-token blocks are run
here in a shell, against a role and a database of their own, with only what a fresh shell has
in its environment; a misconfigured command answers one line, not a traceback."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- (readme-[a-z-]+):[^>]*-->\s*```sh\n(.*?)```", re.DOTALL)


def readme_block(name: str) -> str:
    blocks = dict(BLOCK.findall(README.read_text(encoding="utf-8")))
    assert name in blocks, f"README.md has no block marked <!-- {name}: … -->"
    return blocks[name]


def fresh_shell_env() -> dict[str, str]:
    """What a new terminal has: no Django settings module, no DEBUG, no secrets."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
    return {name: os.environ[name] for name in keep if name in os.environ}


def run_block(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - bash running the README's own lines
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_command_without_its_environment_says_so_in_one_line(tmp_path):
    env = {**fresh_shell_env(), "CASEFLOW_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("manage.py: SECRET_KEY is required when DEBUG is off")
    assert "DEBUG=true" in result.stderr
    assert len(result.stderr.splitlines()) == 2


@pytest.mark.postgres
def test_the_postgresql_and_api_token_blocks_work_as_written(tmp_path):
    if not (shutil.which("createuser") and shutil.which("createdb")):
        pytest.fail("the PostgreSQL client programs are missing (Debian: postgresql-client)")
    server = connection.settings_dict
    host, port = server["HOST"] or "127.0.0.1", str(server["PORT"] or 5432)
    name = f"cf_readme_{secrets.token_hex(4)}"

    def as_written(block: str) -> str:
        # The only liberties: a role and database of our own instead of `caseflow` (the
        # machine may have one), this server's port, and this interpreter for `.venv`'s.
        script = re.sub(r"\bcaseflow\b(?=[\s@/]|$)", name, block, flags=re.MULTILINE)
        script = script.replace("127.0.0.1:5432", f"{host}:{port}")
        return script.replace(".venv/bin/python", sys.executable)

    env = {
        **fresh_shell_env(),
        "PGPORT": port,
        "CASEFLOW_VAR_DIR": str(tmp_path),
    }
    postgres_block = as_written(readme_block("readme-postgres"))
    assert f"createdb --owner {name}" in postgres_block
    assert f"postgres://{name}@{host}:{port}/{name}" in postgres_block
    try:
        result = run_block(postgres_block, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Applying cases.0001_initial... OK" in result.stdout

        # The token block names the demo's administrator: create it as scripts/demo does.
        url = f"postgres://{name}@{host}:{port}/{name}"
        demo_env = {**env, "DATABASE_URL": url, "DEBUG": "true"}
        create_demo = (
            f"{sys.executable} manage.py shell --no-imports -c "
            "'from caseflow.accounts.models import User; User.objects.create_user(\"demo\")'"
        )
        assert run_block(create_demo, demo_env).returncode == 0
        token_env = {**env, "DATABASE_URL": url}  # the block sets DEBUG itself
        result = run_block(as_written(readme_block("readme-api-token")), token_env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert re.search(r"\bcf_[A-Za-z0-9_-]{20,}", result.stdout), result.stdout
    finally:
        superuser = {**fresh_shell_env(), "PGHOST": host, "PGPORT": port, "PGUSER": "postgres"}
        subprocess.run(  # noqa: S603
            ["dropdb", "--if-exists", "--force", name],  # noqa: S607
            env=superuser,
            capture_output=True,
            timeout=60,
            check=False,
        )
        subprocess.run(  # noqa: S603
            ["dropuser", "--if-exists", name],  # noqa: S607
            env=superuser,
            capture_output=True,
            timeout=60,
            check=False,
        )
