from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from heroweb.base import (
    AlreadyExists,
    NotFound,
    context_delete,
    context_get,
    context_list,
    context_new,
    context_next_id,
    redisconn,
    session_new,
)
from tests.base.helpers import keys, stored

ROOT = Path(__file__).resolve().parents[2]


def run_script(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HERO_HOME": str(home), "REDIS_URL": redisconn.redis_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_runs_the_seed_example_from_a_plain_script_and_a_second_process_sees_it(hero: Path) -> None:
    first = run_script(
        """
        from heroweb.base import context_new, session_new
        context = context_new(id=1, name="mycontext", coderoot="/tmp/code", interactive=True)
        session = session_new(context=context, name="mysession1", interactive=True, params="a:1")
        session.env_set("KEY", "value"); assert session.env_get("KEY") == "value"
        context.hero_config_set("category", "name", "content: 1")
        assert "content" in context.hero_config_get("category", "name")
        db = session.db_get(); db.set("k", "v"); assert db.get("k") == "v"
        config_db = session.db_config_get()
        session.logger().log(log="My log message")
        """,
        hero,
    )
    assert first.returncode == 0, first.stderr
    second = run_script(
        """
        import json, sys
        from heroweb.base import context_get
        c = context_get(1)
        s = c.session_get(name="mysession1")
        print(json.dumps({"name": c.name, "coderoot": c.coderoot, "env": s.env, "params": s.params,
                          "start": s.start, "interactive": s.interactive, "db": s.db_get().get("k")}))
        """,
        hero,
    )
    assert second.returncode == 0, second.stderr
    got = json.loads(second.stdout)
    assert got["name"] == "mycontext" and got["coderoot"] == "/tmp/code"
    assert got["env"] == {"KEY": "value"} and got["params"] == "a:1" and got["db"] == "v"
    assert got["interactive"] is True and got["start"] > 0


def test_it_stores_the_documented_keyspace_with_herolib_field_names(hero: Path) -> None:
    context = context_new(id=3, name="ks", coderoot="/c", interactive=True)
    session_new(context=context, name="sess1")
    r = redisconn.client(3)
    assert keys(3) == [b"context:config", b"sessions:config:latest", b"sessions:config:sess1"]
    doc = stored(3, "context:config")
    for field in (
        "id",
        "name",
        "params",
        "coderoot",
        "interactive",
        "secret",
        "priv_key",
        "db_path",
        "encrypt",
    ):
        assert field in doc
    assert doc["id"] == 3 and doc["db_path"] == str(hero / "db" / "3")
    sdoc = stored(3, "sessions:config:sess1")
    for field in ("name", "start", "description", "params", "interactive", "env", "end", "version"):
        assert field in sdoc
    assert r.get("sessions:config:latest") == b"sess1"
    assert redisconn.client(0).keys("context:*") == []


def test_it_lays_out_files_as_documented(hero: Path) -> None:
    context = context_new(id=2, name="files")
    session = context.session_new(name="s-one")
    session.db_get().set("a", "b")
    session.db_config_get().set("c", "d")
    context.hero_config_set("cat", "thing", "x: 1")
    assert (hero / "db" / "2" / "session_s-one").is_file()
    assert (hero / "db" / "2" / "config").is_file()
    assert (hero / "context" / "files" / "cat__thing.yaml").read_text() == "x: 1\n"
    assert (hero / "context" / "files" / "s-one" / "logs").is_dir()


def test_it_keeps_unknown_fields_written_by_other_tools(hero: Path) -> None:
    context = context_new(id=4, name="keep")
    r = redisconn.client(4)
    doc = stored(4, "context:config")
    doc["other_tool"] = {"x": [1, 2]}
    r.set("context:config", json.dumps(doc))
    context.refresh().set_fields(description="changed")
    again = stored(4, "context:config")
    assert again["other_tool"] == {"x": [1, 2]} and again["description"] == "changed"


def test_it_lists_gets_and_deletes_contexts(hero: Path) -> None:
    a = context_new(id=0, name="zero")
    context_new(id=7, name="seven")
    session_new(context=a, name="abc")
    session_new(context=a, name="abd")
    listed = context_list()
    assert [(c.id, c.name, c.session_count) for c in listed] == [(0, "zero", 2), (7, "seven", 0)]
    assert context_get(name="seven").id == 7
    assert context_next_id() == 1
    a.hero_config_set("c", "n", "k: v")
    a.session_get(name="abc").logger().log(log="x")
    context_delete(0)
    assert [c.id for c in context_list()] == [7]
    assert redisconn.client(0).keys("*") == []
    assert not (hero / "db" / "0").exists() and not (hero / "context" / "zero").exists()
    assert not any((hero / ".trash").iterdir()) if (hero / ".trash").exists() else True
    with pytest.raises(NotFound):
        context_get(0)


def test_it_lists_sessions_and_finds_the_latest(hero: Path) -> None:
    context = context_new(id=1, name="c")
    for n in ("one", "two", "three"):
        context.session_new(name=n)
    assert [s.name for s in context.session_list()] == ["one", "two", "three"]
    assert context.session_latest().name == "three"
    context.session_delete(name="three")
    assert context.session_latest().name == "two"
    assert not (hero / "context" / "c" / "three").exists()
    with pytest.raises(AlreadyExists):
        context.session_new(name="one")


def test_it_ends_a_session_once(hero: Path) -> None:
    s = context_new(id=1, name="c").session_new(name="sess")
    assert s.end_time is None and not s.ended
    s.end()
    first = s.end_time
    assert first is not None and s.ended
    s.end()
    assert s.refresh().end_time == first


def test_it_sets_gets_and_deletes_env(hero: Path) -> None:
    s = context_new(id=1, name="c").session_new(name="sess")
    s.env_set("A", "1")
    s.env_set_many({"B": "2", "C": "three words"})
    assert s.env_get("C") == "three words"
    assert s.env_delete("A") is True
    assert s.env_delete("A") is False
    with pytest.raises(NotFound):
        s.env_get("A")
    assert s.env_get("A", default="d") == "d"
    other = context_get(1).session_get(name="sess")
    assert other.env == {"B": "2", "C": "three words"}


def test_it_round_trips_params(hero: Path) -> None:
    context = context_new(id=1, name="c", params="a:1 b:'two words' flag")
    assert context.params_dict == {"a": "1", "b": "two words"}
    context.param_set("c", "it's")
    assert context_get(1).params_dict == {"a": "1", "b": "two words", "c": "it's"}
    s = context.session_new(name="sess", params={"x": "y z"})
    assert s.param_get("x") == "y z"
    assert context.session_get(name="sess").params == "x:'y z'"


def test_it_lists_checks_and_deletes_hero_config(hero: Path) -> None:
    context = context_new(id=1, name="c")
    context.hero_config_set("db", "main", "host: localhost")
    context.hero_config_set("db", "replica", "host: other")
    context.hero_config_set("web", "main", "port: 80")
    assert context.hero_config_list() == [("db", "main"), ("db", "replica"), ("web", "main")]
    assert context.hero_config_list("db") == [("db", "main"), ("db", "replica")]
    assert context.hero_config_exists("web", "main")
    assert context.hero_config_delete("web", "main") is True
    assert context.hero_config_delete("web", "main") is False
    assert not context.hero_config_exists("web", "main")
    with pytest.raises(NotFound):
        context.hero_config_get("web", "main")


def test_it_dedents_config_content(hero: Path) -> None:
    context = context_new(id=1, name="c")
    text = context.hero_config_set("a", "b", "\n    x: 1\n    y:\n      z: 2\n")
    assert text == "\nx: 1\ny:\n  z: 2\n"


def test_it_uses_a_session_database_with_paging_and_transactions(hero: Path) -> None:
    db = context_new(id=1, name="c").session_new(name="sess").db_get()
    for i in range(30):
        db.set(f"k{i:02d}", f"v{i}")
    db.set("bin", b"\x00\xff")
    assert db.get("bin") == b"\x00\xff"
    assert db.keys("k0") == [f"k0{i}" for i in range(10)]
    assert db.count("k") == 30
    assert [k for k, _ in db.items("k", offset=10, limit=5)] == ["k10", "k11", "k12", "k13", "k14"]

    def change_then_fail() -> None:
        with db.transaction():
            db.set("k00", "changed")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert db.get("k00") == "v0"
    assert db.delete("k00") and not db.exists("k00")
    db.destroy()
    assert not db.path.exists()


def test_it_reads_a_database_nobody_wrote_as_empty_without_creating_it(hero: Path) -> None:
    session = context_new(id=1, name="c").session_new(name="sess")
    db = session.db_get()
    assert db.keys() == [] and db.count() == 0 and db.items() == [] and not db.exists("k")
    assert db.delete("k") is False
    with pytest.raises(NotFound):
        db.get("k")
    assert not db.path.exists()
    db.set("k", "v")
    assert db.path.exists() and db.keys() == ["k"]
