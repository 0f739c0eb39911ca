# Sourced by scripts/run and scripts/test: make the virtual environment with the locked
# versions when it is missing, made by another Python, or older than the lock file.
# Needs Python 3.11, 3.12 or 3.13 with pip and venv. PYTHON=/path/to/python picks one;
# otherwise a working environment is kept as it is, and a new one is made with python3 when
# that is supported, else with the newest supported Python found (scripts/pythons).
# HANOI_NEWS_VENV=DIR puts the environment elsewhere (default .venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HANOI_NEWS_VENV:-$ROOT/.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac

_supported() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' >/dev/null 2>&1; }
_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

if [ -n "${PYTHON:-}" ]; then
  PY="$PYTHON"
  if ! _supported "$PY"; then
    echo "PYTHON=$PY is not Python 3.11, 3.12 or 3.13 ($("$PY" --version 2>&1 || echo 'not found'))." >&2
    exit 1
  fi
elif [ -x "$VENV/bin/python" ] && _supported "$VENV/bin/python"; then
  PY="$VENV/bin/python"
elif command -v python3 >/dev/null 2>&1 && _supported python3; then
  PY=python3
else
  found="$("$ROOT/scripts/pythons")"
  PY="${found%%$'\n'*}"
  if [ -z "$PY" ]; then
    cat >&2 <<MSG
hanoi-news needs Python 3.11, 3.12 or 3.13, with pip and venv; none was found
(python3 here is: $(python3 --version 2>/dev/null || echo 'missing')).
Install one, then run this command again:
  Debian 13 / Ubuntu 24.04:  sudo apt install python3 python3-venv
  Debian 12:                 sudo apt install python3.11 python3.11-venv
  macOS (Homebrew):          brew install python@3.13
or point to one you have:    PYTHON=/path/to/python3.12 $0
MSG
    exit 1
  fi
fi
PY_VERSION="$(_version "$PY")"

# An environment made by another Python than the one asked for (or a broken one) is made again.
if [ -f "$VENV/pyvenv.cfg" ] && [ "$(_version "$VENV/bin/python" 2>/dev/null || true)" != "$PY_VERSION" ]; then
  echo "Re-creating $VENV for Python $PY_VERSION …" >&2
  rm -rf "$VENV"
fi
STAMP="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment in $VENV (Python $PY_VERSION) …" >&2
  if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    echo "Python $PY_VERSION cannot create a virtual environment: its venv module is missing." >&2
    echo "On Debian or Ubuntu: sudo apt install python$PY_VERSION-venv (or python3-venv)." >&2
    exit 1
  fi
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
