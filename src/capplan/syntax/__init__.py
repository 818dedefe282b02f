"""The language front end: grammar, lexer, syntax tree with spans, parser."""

from capplan.syntax.parser import ParseResult, parse_source

__all__ = ["ParseResult", "parse_source"]
