"""Paths and settings, read once by the CLI and passed down (no module-level state)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = PROJECT_ROOT / "tests" / "fixtures" / "site" / "www"


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("archive.db")
    data_dir: Path = Path("data")
    sources_path: Path = Path("sources.yml")
    metadata_path: Path = PROJECT_ROOT / "metadata.yml"
    host: str = "127.0.0.1"
    port: int = 8001

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.db"

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def lock_dir(self) -> Path:
        return self.data_dir / "locks"
