"""Shared fixtures: a throwaway brief project in tmp_path, linted through the real engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from citebrief.config import Config
from citebrief.engine import lint_paths

DATA = Path(__file__).parent / "data"


class Project:
    def __init__(self, root: Path):
        self.root = root

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    def lint(self, brief: str, bib: str | None = None, today: str = "2025-12-01", **config):
        path = self.write("brief.md", brief)
        if bib is not None:
            self.write("references.bib", bib)
        cfg = Config(root=self.root, **config)
        return lint_paths([str(path)], cfg, today=date.fromisoformat(today))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)
