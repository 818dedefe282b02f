"""Locate data shipped with capplan (grammar, templates) in a wheel or a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(name: str) -> Path:
    """`capplan/<name>` inside an installed wheel, else `<repo>/<name>` in a checkout."""
    packaged = resources.files("capplan") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name
