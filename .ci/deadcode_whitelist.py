"""Names vulture cannot see used (it matches by name): each with who uses it."""

# ruff: noqa: B018, F821

compile_text  # api: the pipeline from a string (public API; tests, editors)
racks_in  # render context: called from templates (netbox power panels, plan pages)
up_to_date  # render outcome: public API (`render --check`), docs/render.md
ignore_aliases  # PyYAML Dumper hook, called by yaml
reserved_words  # syntax.grammar: public API, the reserved words derived from the grammar
shapes  # syntax.parser.Parser: introspection of the bounded shape cache
sized  # bench.growth: called in a child interpreter (a string passed to python -c)
measure_here  # bench.growth: likewise
_usage_display_name  # cli.conventions: typer's hook for an argument on the usage line
display_type_rich  # cli.conventions: typer's hook for an option's value in help
get_short_help_str  # cli.conventions: click's hook for a command's line in `capplan --help`
_rich_display_name  # cli.conventions: typer's hook for an argument's name in help
