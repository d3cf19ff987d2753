"""The rules, one module per rule, each defining `RULE`; files starting with `_` hold shared helpers."""
