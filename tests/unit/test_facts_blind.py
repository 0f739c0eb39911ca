"""The blind set of issue 14 (tests/blind, never edited here): its own checker passes (every
case consistent with its text, the gazetteer and the metric vocabulary), and ``evaluate facts
--set blind`` reads all of it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "blind"

pytestmark = pytest.mark.skipif(not (BLIND / "_check.py").exists(), reason="no blind set")


def _checker():
    spec = importlib.util.spec_from_file_location("blind_check", BLIND / "_check.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_blind_checker_passes(capsys: pytest.CaptureFixture[str]) -> None:
    rc = _checker().main(["--repo", str(ROOT), "--dir", str(BLIND)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "0 with errors" in out


def test_evaluate_reads_the_blind_set() -> None:
    from crawler.evaluate_facts import load_cases

    cases = load_cases("blind")
    assert len(cases) == len(list(BLIND.glob("[0-9][0-9]_*.txt"))) >= 35
    assert all(c.source == "blind" for c in cases)
