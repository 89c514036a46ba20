"""python -m heroweb.base.log CONTEXT SESSION -- cmd: a real program feeds a session log."""

from __future__ import annotations

import subprocess
import sys

from heroweb.base import Session
from heroweb.base.log import LogReader

ROOT_SCRIPT = (
    "import sys\n"
    "print('out one'); sys.stdout.flush()\n"
    "print('err one', file=sys.stderr); sys.stderr.flush()\n"
    "print('out two')\n"
    "sys.exit(3)\n"
)


def _capture(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "heroweb.base.log", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_captures_stdout_and_stderr_and_keeps_the_exit_code(
    session: Session, hero_env: dict[str, str]
) -> None:
    result = _capture(hero_env, "logctx", "logsess", "--", sys.executable, "-c", ROOT_SCRIPT)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "out one\nout two\n"  # echoed too
    entries = list(LogReader(session.logs_path).iter_entries())
    got = {(e.log, e.logtype) for e in entries}
    assert got == {("out one", "stdout"), ("err one", "error"), ("out two", "stdout")}
    assert len({e.cat for e in entries}) == 1  # the command's name


def test_it_accepts_a_context_id_and_a_category(session: Session, hero_env: dict[str, str]) -> None:
    result = _capture(hero_env, "7", "logsess", "--cat", "build", "--quiet", "--", "echo", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    entries = list(LogReader(session.logs_path).iter_entries())
    assert [(e.cat, e.log) for e in entries] == [("build", "hi")]


def test_it_says_when_the_session_does_not_exist(hero_env: dict[str, str], session: Session) -> None:
    result = _capture(hero_env, "logctx", "nosuch", "--", "echo", "hi")
    assert result.returncode == 2
    assert "error:" in result.stderr
