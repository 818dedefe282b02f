"""The language server (`capplan lsp`): diagnostics, navigation, completion, fixes, format.

Needs the `lsp` extra (pygls, lsprotocol): `pip install 'capplan[lsp]'`.
"""
