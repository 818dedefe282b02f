"""Presentations of a plan report: text (rich), Markdown and JSON."""
