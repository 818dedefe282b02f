"""Typed addresses: a hall is named by its site and its name, written `site.hall`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class HallAddr:
    """The address of a hall; `str()` is the `site.hall` spelling users write and read."""

    site: str
    hall: str

    def __str__(self) -> str:
        return f"{self.site}.{self.hall}"

    @classmethod
    def parse(cls, text: str) -> HallAddr:
        """`"narvik.h1"` -> HallAddr("narvik", "h1"); a name never holds a dot."""
        site, dot, hall = text.partition(".")
        if not dot or not site or not hall or "." in hall:
            raise ValueError(f"`{text}` is not a `site.hall` address")
        return cls(site, hall)


def destination(site: str, hall: str | None) -> str:
    """Where a lot goes, as written: `site.hall`, or the site when the compiler picks the hall."""
    return str(HallAddr(site, hall)) if hall is not None else site
