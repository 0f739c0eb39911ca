"""``hanoi-news evaluate parsers|facts``: quality of the parsers and the fact extraction
over the fixtures and gold set in tests/ (a development command: it reads those files)."""
from __future__ import annotations

import os

import click

from .config import PROJECT_ROOT


@click.group()
def evaluate() -> None:
    """Print quality figures over the fixtures (field pass rates; precision/recall/F1)."""


@evaluate.command("parsers")
@click.option("--generic", is_flag=True, help="Use the generic extractor only (no site profiles).")
@click.option("-v", "--verbose", is_flag=True, help="List every failed field.")
def evaluate_parsers(generic: bool, verbose: bool) -> None:
    """Field-level pass rate per site over the fixture pages."""
    from crawler.evaluate_parsers import main

    os.chdir(PROJECT_ROOT)
    main([*(["--generic"] if generic else []), *(["-v"] if verbose else [])])


@evaluate.command("facts")
@click.option("--set", "which", type=click.Choice(["all", "site", "text", "forms", "holdout", "blind"]), default="all",
              show_default=True)
@click.option("--dir", "folder", type=click.Path(exists=True, file_okay=False),
              help="Score any folder of <stem>.txt + <stem>.json cases (convention v2 or older) instead.")
@click.option("-v", "--verbose", is_flag=True, help="List misses and extras.")
def evaluate_facts(which: str, folder: str | None, verbose: bool) -> None:
    """Precision, recall and F1 per table against hand-annotated facts."""
    from crawler.evaluate_facts import main

    args = ["--set", which, *(["-v"] if verbose else [])]
    if folder:
        args += ["--dir", os.path.abspath(folder)]
    os.chdir(PROJECT_ROOT)
    main(args)
