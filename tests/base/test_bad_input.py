from __future__ import annotations

from pathlib import Path

import pytest

from heroweb.base import (
    AlreadyExists,
    ContextIdOutOfRange,
    InvalidInput,
    InvalidName,
    InvalidYAML,
    TooLarge,
    context_list,
    context_new,
    redisconn,
)
from tests.base.helpers import keys


def files_under(home: Path) -> set[str]:
    return {str(p.relative_to(home)) for p in home.rglob("*")} if home.exists() else set()


def all_keys() -> dict[int, list[bytes]]:
    out = {}
    for db in range(min(redisconn.server_databases(), 64)):
        found = keys(db)
        if found:
            out[db] = found
    return out


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("a/b", "not allowed"),
        ("..", "not allowed"),
        ("../x", "not allowed"),
        (".hidden", "not allowed"),
        ("nul\x00x", "not allowed"),
        ("", "empty"),
        ("x" * 65, "65 characters"),
        ("sp ace", "not allowed"),
    ],
)
def test_it_refuses_a_bad_context_name_and_leaves_nothing(hero: Path, name: str, says: str) -> None:
    with pytest.raises(InvalidName, match=says):
        context_new(id=1, name=name)
    assert all_keys() == {}
    assert files_under(hero) <= {"keys", "keys/master.key"}


@pytest.mark.parametrize("name", ["a/b", "..", "ab", "", "x" * 65, "latest", "a\x00b", "a\\b"])
def test_it_refuses_a_bad_session_name_and_leaves_nothing(hero: Path, name: str) -> None:
    context = context_new(id=1, name="c")
    before_files, before_keys = files_under(hero), all_keys()
    with pytest.raises(InvalidName):
        context.session_new(name=name)
    assert files_under(hero) == before_files and all_keys() == before_keys


def test_it_explains_the_reserved_latest_name(hero: Path) -> None:
    with pytest.raises(InvalidName, match="reserved"):
        context_new(id=1, name="c").session_new(name="latest")


@pytest.mark.parametrize(
    ("category", "name"),
    [("a__b", "n"), ("c", "x__y"), ("../up", "n"), ("c", "a/b"), ("", "n"), (".c", "n"), ("c", "n\x00")],
)
def test_it_refuses_bad_config_names(hero: Path, category: str, name: str) -> None:
    context = context_new(id=1, name="c")
    with pytest.raises(InvalidName):
        context.hero_config_set(category, name, "a: 1")
    assert context.hero_config_list() == []
    assert list((hero / "context" / "c").iterdir()) == []


def test_it_refuses_a_duplicate_context_id_or_name(hero: Path) -> None:
    context_new(id=1, name="one")
    with pytest.raises(AlreadyExists, match="id 1"):
        context_new(id=1, name="other")
    with pytest.raises(AlreadyExists, match="named 'one'"):
        context_new(id=2, name="one")
    assert [(c.id, c.name) for c in context_list()] == [(1, "one")]
    assert not (hero / "context" / "other").exists() and not (hero / "db" / "2").exists()


def test_it_refuses_an_id_beyond_the_servers_databases(hero: Path) -> None:
    limit = redisconn.server_databases()
    with pytest.raises(ContextIdOutOfRange, match=f"only {limit} databases"):
        context_new(id=limit, name="far")
    with pytest.raises(InvalidInput):
        context_new(id=-1, name="neg")
    assert all_keys() == {}


def test_it_refuses_invalid_yaml_with_its_line_and_keeps_the_old_file(hero: Path) -> None:
    context = context_new(id=1, name="c")
    context.hero_config_set("a", "b", "good: 1")
    with pytest.raises(InvalidYAML) as err:
        context.hero_config_set("a", "b", "ok: 1\nbad: [unclosed\nmore: 2\n")
    assert err.value.line is not None and err.value.line >= 2
    assert "line" in err.value.message
    assert context.hero_config_get("a", "b") == "good: 1\n"
    assert [p.name for p in (hero / "context" / "c").iterdir()] == ["a__b.yaml"]


def test_it_refuses_a_yaml_alias_bomb(hero: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for level in "bcdefghi":
        bomb += f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = level
    context = context_new(id=1, name="c")
    with pytest.raises(InvalidYAML, match="alias"):
        context.hero_config_set("bomb", "x", bomb)
    assert not context.hero_config_exists("bomb", "x")


def test_it_refuses_a_2_mib_config_file(hero: Path) -> None:
    context = context_new(id=1, name="c")
    with pytest.raises(TooLarge, match="1 MiB"):
        context.hero_config_set("big", "x", "k: " + "v" * (2 * 1024 * 1024))
    assert not context.hero_config_exists("big", "x")


def test_it_refuses_oversized_and_invalid_env(hero: Path) -> None:
    s = context_new(id=1, name="c").session_new(name="sess")
    with pytest.raises(TooLarge):
        s.env_set("BIG", "x" * (65 * 1024))
    for key in ("", "1A", "A-B", "A B", "A=B"):
        with pytest.raises(InvalidInput):
            s.env_set(key, "v")
    assert s.refresh().env == {} and s.version == 1


def test_it_refuses_bad_params_text(hero: Path) -> None:
    with pytest.raises(InvalidInput, match="not closed"):
        context_new(id=1, name="c", params="a:'open")
    assert all_keys() == {}
