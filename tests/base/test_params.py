from __future__ import annotations

import pytest

from heroweb.base import InvalidInput
from heroweb.base.params import Params, format_params, parse

TRICKY = [
    "",
    "plain",
    "two words",
    "it's",
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "a:b",
    "key:'quoted'",
    "  padded  ",
    "line\nbreak",
    "ünïcödé ✓",
    "'",
    "\\'",
]


@pytest.mark.parametrize("value", TRICKY)
def test_it_round_trips_a_tricky_value(value: str) -> None:
    params = Params(values={"k": value, "other": "x"}, args=[value] if value else [])
    assert parse(format_params(params)) == params


def test_it_reads_herolib_style_text() -> None:
    p = parse("name:'my context' port:8080 verbose path:/tmp/x")
    assert p.values == {"name": "my context", "port": "8080", "path": "/tmp/x"}
    assert p.args == ["verbose"]


@pytest.mark.parametrize("text", ["a:'open", 'k:"open', "'"])
def test_it_refuses_an_unclosed_quote(text: str) -> None:
    with pytest.raises(InvalidInput, match="not closed"):
        parse(text)
