# shellcheck shell=bash
# Helpers shared by scripts/demo and scripts/test. Source it; don't run it.
#
#   caseflow_venv [EXTRAS]   make sure .venv exists with Python 3.11 and `pip install -e .[EXTRAS]`
#   caseflow_catalogues      compile the translation catalogues whose .mo is missing or older
#                            than its .po (pure Python, no GNU gettext; see scripts/messages)
#
# Everything is idempotent: a second run reuses .venv and skips pip when pyproject.toml
# has not changed since the last install with the same extras.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CASEFLOW_VENV:-$ROOT/.venv}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() {
    printf '\033[1;31m%s: %s\033[0m\n' "$(basename "$0")" "$*" >&2
    exit 1
}

# The interpreter to build .venv from: python3.11 if there is one, else python3; must be 3.11.
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
        then
            command -v "$candidate"
            return 0
        fi
    done
    die "Caseflow needs Python 3.11 (python3.11 or python3 on PATH); found: $(python3 --version 2>&1 || echo none)"
}

venv_ok() {
    [ -x "$VENV/bin/python" ] \
        && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

caseflow_venv() {
    local extras="${1:-}" spec="." stamp hash python
    [ -n "$extras" ] && spec=".[$extras]"
    if ! venv_ok; then
        python="$(find_python)"
        if [ -e "$VENV" ]; then
            say "$VENV is broken or not Python 3.11; recreating it"
            rm -rf "$VENV"
        fi
        say "creating $VENV with $("$python" --version 2>&1)"
        "$python" -m venv "$VENV" || die "python -m venv failed (on Debian: apt-get install python3-venv)"
    fi
    stamp="$VENV/.caseflow-installed${extras:+-$extras}"
    hash="$(cat "$ROOT/pyproject.toml" | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ] || ! "$VENV/bin/python" -c 'import caseflow' 2>/dev/null; then
        say "installing Caseflow and its dependencies: pip install -e '$spec'"
        # Quiet, but keep the whole output for when it fails.
        if ! (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            --no-input -e "$spec") >"$VENV/pip-install.log" 2>&1; then
            grep -v "is ignored: it is neither a file nor a directory" "$VENV/pip-install.log" \
                | tail -n 40 >&2 || true
            die "pip install -e '$spec' failed (whole output: $VENV/pip-install.log)"
        fi
        echo "$hash" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV="$VENV"
    unset PYTHONHOME
}

# A fresh clone, or a .po edited without running scripts/messages: compile what is stale, so
# Django never serves an old translation. Current catalogues cost a stat() each.
caseflow_catalogues() {
    python -m caseflow.core.catalogues compile --if-stale \
        || die "compiling the translation catalogues failed (see above); fix the .po file"
}
