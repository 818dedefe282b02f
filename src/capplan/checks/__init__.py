"""Check families: each module yields diagnostics about one concern."""
