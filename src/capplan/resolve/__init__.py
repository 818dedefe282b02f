"""Resolve a loaded program into the typed model (units, consts, references)."""

from capplan.resolve.build import build_model

__all__ = ["build_model"]
