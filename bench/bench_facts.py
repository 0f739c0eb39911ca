"""Benchmark ``parsers.facts.extract``: milliseconds per 6 KB article, side by side with the
extractor of main at dc0019d (the one before issue 14) in one run.

Corpus (all from the repository, built the same way on every run; no article is copied):
- singles: tests/holdout/*.txt, tests/gold/text/*.txt, and the fixture site's articles
  (tests/fixtures/site/www/*.html through ``parsers.parse``: title + sapo + body), 0.3-4 KB;
- concatenations of 2-4 singles (a seeded choice) of 5-10 KB: real district articles are
  4-14 KB of text (median ~5-6 KB), longer than any single text in the repository.
Sizes are in characters / 1024. Timing: warm, many rounds, ``time.perf_counter`` (wall) and
``time.process_time`` (CPU, less sensitive to other load on the 2-core machine); the two
extractors are interleaved per document so that background load hits them alike.

Headline (issue 14: under 5 ms per 6 KB article): for each 5-10 KB article, its median CPU
ms scaled to 6 KB (ms x 6 / KB), then the median and p90 over those articles; the same for
the baseline, and the ratio current / baseline. Also the best of the rounds per article (the
call least disturbed by other load on a shared machine; its median over the articles).

    .venv/bin/python bench/bench_facts.py [--rounds 20] [--baseline-commit dc0019d | --baseline DIR | --no-baseline]

The baseline is the ``parsers`` package of ``--baseline-commit`` (``git archive`` into a
temporary folder, imported under another name), or the copy at ``--baseline DIR``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import random
import statistics
import sys
import time
import types
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers.facts import extract  # noqa: E402

Doc = tuple[str, str, "date | None"]  # (label, text, published)
KB = 1024
REAL_KB = (5, 10)  # the headline's article sizes (real district articles: 4-14 KB, median ~5-6)


def _published(json_path: Path) -> date | None:
    try:
        s = json.loads(json_path.read_text(encoding="utf-8")).get("published")
        return date.fromisoformat(s[:10]) if s else None
    except (OSError, ValueError):
        return None


def singles() -> list[Doc]:
    """The repository's article texts, in a fixed order."""
    docs: list[Doc] = []
    for folder in (ROOT / "tests" / "holdout", ROOT / "tests" / "gold" / "text"):
        for p in sorted(folder.glob("*.txt")):
            docs.append((p.stem, p.read_text(encoding="utf-8"), _published(p.with_suffix(".json"))))
    from parsers import parse

    for p in sorted((ROOT / "tests" / "fixtures" / "site" / "www").glob("*.html")):
        try:
            a = parse(p.read_text(encoding="utf-8", errors="replace"), "https://laodongthudo.vn/" + p.name)
        except Exception:  # noqa: BLE001 - listing pages and odd fixtures are not articles
            continue
        if not (a.body_text or "").strip():
            continue
        text = "\n\n".join(x for x in (a.title, a.sapo, a.body_text) if x)
        pub = date.fromisoformat(a.published_at[:10]) if a.published_at else None
        docs.append((p.stem[:40], text, pub))
    return docs


def corpus(n_concat: int = 40, seed: int = 5) -> list[Doc]:
    """Singles plus ``n_concat`` seeded concatenations of 2-4 singles sized 5-10 KB."""
    base = singles()
    rng = random.Random(seed)
    out = list(base)
    tries = 0
    while len(out) < len(base) + n_concat and tries < 100_000:
        tries += 1
        parts = rng.sample(base, rng.randint(2, 4))
        text = "\n\n".join(t for _, t, _ in parts)
        if REAL_KB[0] * KB <= len(text) <= REAL_KB[1] * KB:
            out.append(("+".join(lb[:12] for lb, _, _ in parts), text, parts[0][2]))
    return out


def _quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def _archive_baseline(commit: str, into: Path) -> Path:
    """``git archive <commit> parsers`` extracted into ``into``; returns the package folder."""
    import subprocess
    import tarfile
    import io

    blob = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "parsers"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into / "parsers"


def _load_baseline(path: Path) -> Callable:
    """``extract`` of the ``parsers`` package copy at ``path``, imported under another name."""
    pkg = types.ModuleType("_baseline_parsers")
    pkg.__path__ = [str(path)]
    sys.modules[pkg.__name__] = pkg
    return importlib.import_module(pkg.__name__ + ".facts").extract


def run(funcs: dict[str, Callable], docs: list[Doc], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Per document, the median wall and CPU seconds of each function over ``rounds``,
    the functions interleaved per document so that background load hits them alike."""
    res = {name: {"wall": [], "cpu": [], "cpu_min": []} for name in funcs}
    for _, text, pub in docs:
        samples = {name: ([], []) for name in funcs}
        for _ in range(rounds):
            for name, f in funcs.items():
                c = time.process_time()
                t = time.perf_counter()
                f(text, pub)
                samples[name][0].append(time.perf_counter() - t)
                samples[name][1].append(time.process_time() - c)
        for name, (wall, cpu) in samples.items():
            res[name]["wall"].append(statistics.median(wall))
            res[name]["cpu"].append(statistics.median(cpu))
            res[name]["cpu_min"].append(min(cpu))  # (the least disturbed call)
    return res


def report(name: str, r: dict[str, list[float]], sizes: list[int]) -> dict[str, float]:
    kbs = [n / KB for n in sizes]
    out = {}
    print(f"== {name}")
    real = [i for i, k in enumerate(kbs) if REAL_KB[0] <= k <= REAL_KB[1]]
    if real:
        cpu = [r["cpu"][i] * 1000 * 6 / kbs[i] for i in real]  # scaled to a 6 KB article
        wall = [r["wall"][i] * 1000 * 6 / kbs[i] for i in real]
        out["big"], out["big_wall"] = statistics.median(cpu), statistics.median(wall)
        out["big_p90"] = _quantile(cpu, 0.9)
        out["big_min"] = statistics.median(r["cpu_min"][i] * 1000 * 6 / kbs[i] for i in real)
        print(f"HEADLINE per 6 KB article ({len(real)} articles of {REAL_KB[0]}-{REAL_KB[1]} KB, median "
              f"{statistics.median(kbs[i] for i in real):.1f} KB, each scaled to 6 KB): median {out['big']:.2f} ms CPU, "
              f"p90 {out['big_p90']:.2f} ms CPU; median {out['big_wall']:.2f} ms wall "
              f"-> target < 5 ms: {'OK' if out['big'] < 5 else 'SLOW'}")
        print(f"  best of the rounds per article (least disturbed by other load): "
              f"median {out['big_min']:.2f} ms CPU")
    print(f"whole corpus ({len(kbs)} articles, median {statistics.median(kbs):.1f} KB):")
    print(f"{'':16}{'median':>9}{'p90':>9}")
    for clock in ("wall", "cpu"):
        ms = [x * 1000 for x in r[clock]]
        per_kb = [m / k for m, k in zip(ms, kbs)]
        out[clock] = statistics.median(per_kb)
        print(f"{clock + ' ms/article':16}{statistics.median(ms):9.2f}{_quantile(ms, 0.9):9.2f}")
        print(f"{clock + ' ms/KB':16}{statistics.median(per_kb):9.3f}{_quantile(per_kb, 0.9):9.3f}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="timed calls per article and function")
    ap.add_argument("--baseline", type=Path, help="another copy of the parsers package to compare with")
    ap.add_argument("--baseline-commit", default="dc0019d",
                    help="compare with the parsers package of this commit (default: main before issue 14)")
    ap.add_argument("--no-baseline", action="store_true", help="time the current extractor alone")
    args = ap.parse_args()
    import tempfile

    funcs: dict[str, Callable] = {"current": extract}
    tmp = tempfile.TemporaryDirectory(prefix="bench-facts-")
    if not args.no_baseline:
        base = args.baseline or _archive_baseline(args.baseline_commit, Path(tmp.name))
        funcs = {"baseline": _load_baseline(base), "current": extract}
        print(f"baseline: {args.baseline or 'parsers of ' + args.baseline_commit}")
    t0 = time.perf_counter()
    for f in funcs.values():
        f("Quận Ba Đình", date(2024, 1, 1))
    warm = time.perf_counter() - t0
    docs = corpus()
    sizes = [len(t) for _, t, _ in docs]
    for f in funcs.values():  # warm caches on the whole corpus once
        for _, text, pub in docs:
            f(text, pub)
    print(f"gazetteer load + first call: {warm * 1000:.1f} ms")
    n_single = sum("+" not in label for label, _, _ in docs)
    print(f"corpus: {len(docs)} articles ({n_single} singles + {len(docs) - n_single} concatenations), "
          f"{min(sizes) / KB:.1f}-{max(sizes) / KB:.1f} KB, median {statistics.median(sizes) / KB:.1f} KB; "
          f"rounds: {args.rounds}")
    big = [(t, pub) for _, t, pub in docs if REAL_KB[0] * KB <= len(t) <= REAL_KB[1] * KB]
    rows = {name: sum(len(f(t, pub).indicators) for t, pub in big) for name, f in funcs.items()}
    print("indicator rows over the 5-10 KB articles: " + ", ".join(f"{n} {k}" for n, k in rows.items())
          + " (convention v2 makes a row of every printed figure: more rows, more work)")
    res = run(funcs, docs, args.rounds)
    avg = {name: report(name, r, sizes) for name, r in res.items()}
    if "baseline" in avg:
        b, c = avg["baseline"], avg["current"]
        print(f"\nper 6 KB article, baseline -> current: median {b['big']:.2f} -> {c['big']:.2f} ms CPU "
              f"(current/baseline = {c['big'] / b['big']:.2f}), p90 {b['big_p90']:.2f} -> {c['big_p90']:.2f} ms; "
              f"wall {b['big_wall']:.2f} -> {c['big_wall']:.2f} ms; whole corpus per KB: {b['cpu']:.3f} -> "
              f"{c['cpu']:.3f} ms CPU (current/baseline = {c['cpu'] / b['cpu']:.2f}); best of the rounds: "
              f"{b['big_min']:.2f} -> {c['big_min']:.2f} ms CPU (current/baseline = {c['big_min'] / b['big_min']:.2f})")
    tmp.cleanup()


if __name__ == "__main__":
    main()
