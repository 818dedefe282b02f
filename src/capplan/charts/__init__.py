"""The plan's charts: Vega-Lite specifications from the plan report, rendered to SVG.

`specs` builds the specifications (the report's figures, nothing else); `svg` turns one
into deterministic SVG offline; `mermaid` draws the two charts a git forge must draw
itself (a Markdown plan printed to stdout has no image files beside it); `catalog` says
which charts a page of the fleet or of one site shows. See docs/charts.md.
"""
