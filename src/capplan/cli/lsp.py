"""`capplan lsp`: the language server (the `lsp` extra)."""

from __future__ import annotations

from capplan.cli.common import usage_error


def lsp() -> None:
    """Run the language server on stdin/stdout (for editors; see docs/editors.md)."""
    try:
        from capplan.lsp.server import main as serve
    except ImportError as exc:
        raise usage_error(
            f"the language server needs the lsp extra (pip install 'capplan[lsp]'): {exc}"
        ) from None
    serve()
