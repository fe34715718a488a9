"""The TOML writer: what it writes reads back equal."""

from __future__ import annotations

import tomllib

from b2bfunnel._toml import dumps


def test_toml_writer_round_trips_tricky_values() -> None:
    """Quoted keys, escapes, nested inline tables and floats read back equal."""
    data = {
        "scoring": {
            "x": 0.1,
            "flag": True,
            "odd key": 'say "hi"\n',
            "list": [1, 2.5, "ñ"],
            "deep": {"a": {"b": [{"c": 1}]}},
            "rules": [{"name": "r", "when": {"all": [{"field": "f", "in": ["a", "b"]}]}}],
        }
    }
    assert tomllib.loads(dumps(data)) == data
