"""The CI script and the set-up scripts at least parse: a merge that breaks a shell function
shows up in the suite, not only when CI runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = [".ci/run", "scripts/test", "scripts/demo", "scripts/messages", "scripts/_lib.sh"]


BASH = shutil.which("bash")


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize("script", SCRIPTS)
def test_the_script_parses(script):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(BASH), "-n", str(ROOT / script)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
