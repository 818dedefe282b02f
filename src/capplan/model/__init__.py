"""The typed model: units, values and declarations with references resolved."""
