"""The fixture-site generator is the single source of truth for its output.

tests/fixtures/site/_build/build_site.py renders tests/fixtures/site/www/**,
tests/fixtures/site/expected/*.json and tests/gold/facts/*.json from articles.py and gold.py.
Editing a generated file by hand (a new convention, a re-annotation) without changing the
generator makes the next rebuild undo it silently; these tests fail instead. To fix a
failure, change articles.py / gold.py / build_site.py until
`python tests/fixtures/site/_build/build_site.py --check` reports 0 differences.

The generator runs in a subprocess (its modules are named `articles` and `gold`), offline,
into a temporary directory; nothing in the repository is written.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tests" / "fixtures" / "site" / "_build"
GENERATOR = BUILD / "build_site.py"
OWNED = ["tests/fixtures/site/www", "tests/fixtures/site/expected", "tests/gold/facts"]


def _run(script: Path, *args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, str(script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _tree(root: Path) -> dict[str, bytes]:
    out = {}
    for d in OWNED:
        for path in sorted((root / d).rglob("*")):
            if path.is_file():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("fixture_site")
    proc = _run(GENERATOR, "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _tree(out)


def test_generator_reproduces_committed_files(generated) -> None:
    committed = _tree(ROOT)
    assert len(committed) > 50  # www pages, expected JSON and gold facts are all there
    missing = sorted(set(committed) - set(generated))
    extra = sorted(set(generated) - set(committed))
    differ = sorted(rel for rel in set(committed) & set(generated) if committed[rel] != generated[rel])
    assert not missing, f"committed but not generated (hand-made or stale): {missing}"
    assert not extra, f"generated but not committed: {extra}"
    assert not differ, (f"generated output differs from the committed files {differ}; change "
                        "tests/fixtures/site/_build/ (not the generated files), then rebuild")


def test_generator_is_deterministic(generated, tmp_path) -> None:
    # another hash seed and time zone give the same bytes (no clock, no set/dict-order leaks)
    proc = _run(GENERATOR, "--out", str(tmp_path),
                env_extra={"PYTHONHASHSEED": "12345", "TZ": "America/Los_Angeles"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _tree(tmp_path) == generated


def test_generator_check_mode_agrees() -> None:
    proc = _run(GENERATOR, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 differences" in proc.stdout


def test_fixture_site_self_check() -> None:
    proc = _run(BUILD / "check_site.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
