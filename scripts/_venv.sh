# Sourced by scripts/run and scripts/test: make .venv with the locked versions when it is
# missing or older than the lock file. Needs only Python 3.11 with pip and venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "hanoi-news needs Python 3.11 (found $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
STAMP="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment in .venv …" >&2
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ "$ROOT/requirements.lock" -nt "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  echo "Installing the locked dependencies (requirements.lock) …" >&2
  LOG="$VENV/install.log"
  if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
         "$VENV/bin/python" -m pip install --disable-pip-version-check -r "$ROOT/requirements.lock" &&
         "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps -e "$ROOT"; } >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "Installing the dependencies failed; the whole log is in $LOG" >&2
    exit 1
  fi
  touch "$STAMP"
fi
