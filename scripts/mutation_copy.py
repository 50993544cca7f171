"""Copy the checkout for a mutation run (docs/testing.md), with the services undecorated.

mutmut 3 leaves decorated functions alone, and every public case service is
`@transaction.atomic`. In the copy, a top-level function's `@transaction.atomic` line goes
and `name = transaction.atomic(name)` follows the function: the same behaviour, but mutmut
mutates the body. Usage: `python scripts/mutation_copy.py TARGET_DIR [FILE …]` (files
relative to the checkout; default: the modules of caseflow/cases/services/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECORATOR = "@transaction.atomic\n"
DEF = re.compile(r"def (\w+)\(")


def undecorate(source: str) -> str:
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    pending: str | None = None  # the function whose end we look for
    for i, line in enumerate(lines):
        top_level = line[:1] not in ("", " ", "\n", ")", "#")
        if pending and top_level and not line.startswith(f"def {pending}("):
            out.append(f"{pending} = transaction.atomic({pending})\n\n\n")
            pending = None
        if line == DECORATOR and i + 1 < len(lines) and DEF.match(lines[i + 1]):
            pending = DEF.match(lines[i + 1]).group(1)  # type: ignore[union-attr]
            continue
        out.append(line)
    if pending:
        out.append(f"\n\n{pending} = transaction.atomic({pending})\n")
    return "".join(out)


def main(target: Path, files: list[str]) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    for name in tracked:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for name in files:
        path = target / name
        path.write_text(undecorate(path.read_text()))


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        sys.argv[2:] or sorted(str(p) for p in Path("caseflow/cases/services").glob("*.py")),
    )
