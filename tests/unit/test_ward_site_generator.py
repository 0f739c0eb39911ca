"""The ward portal fixture (tests/fixtures/ward_site) is generated: its www/ and expected/
must be what _build/build_site.py renders from _build/content.py, so a hand edit that the
next rebuild would undo fails here. Fix: change content.py or build_site.py, then run
`python tests/fixtures/ward_site/_build/build_site.py`. Runs in a subprocess (the builder
imports its own `content` module); --check writes nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BUILDER = Path(__file__).resolve().parents[1] / "fixtures" / "ward_site" / "_build" / "build_site.py"


def test_committed_ward_site_is_what_the_builder_renders():
    done = subprocess.run([sys.executable, "-B", str(BUILDER), "--check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
