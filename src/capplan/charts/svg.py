"""Vega-Lite to SVG, offline and the same bytes on every machine (vl-convert).

vl-convert runs Vega in an embedded JavaScript engine with no network. What could
still vary between machines is pinned here or in the specifications:

- fonts: text is measured with the Liberation Sans that vl-convert embeds (see
  ``specs.FONT``), never a system font, so label positions do not depend on what is
  installed;
- time: every scale is `utc` and dates are ISO days, so the time zone of the machine
  does not move a step;
- numbers and dates are formatted by Vega's own en-US locale, set explicitly.

The SVG has no ids, timestamps or random values (checked by a test that renders in
subprocesses under other hash seeds, time zones and locales).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Final

from capplan.charts.specs import Spec

VEGA_LITE = "5.21"
"""The Vega-Lite version the specifications are written for (vl-convert ships several)."""
FORMAT_LOCALE: Final = "en-US"
TIME_FORMAT_LOCALE: Final = "en-US"


def spec_text(spec: Spec) -> str:
    """The specification as canonical JSON: the cache key and the converter's input."""
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def spec_svg(text: str) -> str:
    """The chart of a specification in canonical JSON (`spec_text`) as a standalone SVG
    document (no XML declaration, one trailing newline)."""
    return _convert(text)


@lru_cache(maxsize=64)
def _convert(text: str) -> str:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(
        text,
        vl_version=VEGA_LITE,
        allowed_base_urls=[],  # the data is inline: never fetch anything
        format_locale=FORMAT_LOCALE,
        time_format_locale=TIME_FORMAT_LOCALE,
    )
    return svg.rstrip("\n") + "\n"
