"""Incremental compiles: outputs are reused when nothing that shapes them has changed.

The key of a brief hashes its bytes, its bibliography's bytes, the CSL style, the options and
configuration, the templates and the citebrief / pandoc / typst versions. Files found only while
compiling (images) are recorded with their hashes and checked too. The manifest lives in
``out/.cache/<brief>.json``; an output counts as fresh only if its file still has the recorded hash.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from citebrief import __version__
from citebrief.compile.output import write_atomic
from citebrief.config import Config
from citebrief.tools import pandoc_version, typst_version

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def maybe_hash(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return file_hash(path)
    except OSError:
        return "missing"


@functools.lru_cache(maxsize=1)
def tool_versions() -> str:
    templates = sorted((p.name, file_hash(p)) for p in TEMPLATES.iterdir() if p.is_file())
    return json.dumps([__version__, pandoc_version(), typst_version(), templates])


def brief_key(brief: Path, bibliographies: list[Path], csl: Path | None, config: Config, *, lint: bool,
              epoch: int, stale_days: int | None) -> str:
    """Everything the outputs depend on that is known before compiling (``stale_days``: the age the
    "Stale" mark shows, so a stale brief is rebuilt once a day and not more often)."""
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                if f.name not in ("root", "source", "out", "formats")}
    parts = [tool_versions(), file_hash(brief), [maybe_hash(b) for b in bibliographies],
             maybe_hash(csl), repr(sorted(settings.items())), lint, epoch, stale_days]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@dataclass
class Manifest:
    key: str = ""
    outputs: dict[str, str] = field(default_factory=dict)    # format -> sha256 of the file written
    deps: dict[str, str] = field(default_factory=dict)       # extra input (image) path -> sha256

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["key"], dict(data["outputs"]), dict(data.get("deps", {})))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(dataclasses.asdict(self), indent=1, sort_keys=True).encode())

    def fresh(self, key: str, fmt: str, output: Path) -> bool:
        """Is ``output`` (format ``fmt``) still what a compile with this key would write?"""
        if self.key != key or fmt not in self.outputs or not output.is_file():
            return False
        if any(maybe_hash(Path(p)) != h for p, h in self.deps.items()):
            return False
        return maybe_hash(output) == self.outputs[fmt]


def manifest_path(cache_dir: Path, name: str) -> Path:
    return cache_dir / f"{name}.json"


def cache_dir(out_dir: Path) -> Path:
    return out_dir / ".cache"
