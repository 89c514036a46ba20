"""``heroweb``: the command line over heroweb.base (the same calls the web makes).

    heroweb context list | new ID NAME [--coderoot P] | show CTX | delete CTX --yes
    heroweb session list CTX | new CTX NAME | end CTX NAME | delete CTX NAME --yes
    heroweb env list|get|set|delete CTX SESSION [KEY [VALUE]]
    heroweb config list|get|set|delete CTX [CATEGORY NAME]   (set reads the content from stdin)
    heroweb secret list|get|set|delete CTX [NAME]             (set reads the value from stdin)
    heroweb redis url|start|stop
    heroweb master-key rotate|finish                          (rewraps data keys; see rotation.py)

CTX is a context id or name. Secret values are read from stdin, never from the arguments,
which other users of the machine can see in the process list.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import sys
from collections.abc import Callable, Sequence

from heroweb.base import Context, HeroError, context_delete, context_get, context_list, context_new, redisconn


def _context(ref: str) -> Context:
    return context_get(int(ref)) if ref.isdigit() else context_get(name=ref)


def _read_stdin(prompt: str, *, secret: bool = False) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else sys.stdin.read()
    return sys.stdin.read().rstrip("\n") if secret else sys.stdin.read()


def cmd_context(a: argparse.Namespace) -> None:
    if a.action == "list":
        for c in context_list():
            print(f"{c.id}\t{c.name}\t{c.session_count} sessions\t{c.coderoot}")
    elif a.action == "new":
        c = context_new(
            id=int(a.args[0]),
            name=a.args[1],
            coderoot=a.coderoot,
            interactive=a.interactive,
            description=a.description,
        )
        print(f"created context {c.id} '{c.name}'")
    elif a.action == "show":
        print(json.dumps(_context(a.args[0]).doc, indent=2, sort_keys=True))
    elif a.action == "delete":
        c = _context(a.args[0])
        if not a.yes:
            raise HeroError(
                f"This removes context '{c.name}' with its sessions, databases, config and logs; "
                "add --yes to confirm."
            )
        context_delete(c.id)
        print(f"deleted context {c.id} '{c.name}'")


def cmd_session(a: argparse.Namespace) -> None:
    c = _context(a.args[0])
    if a.action == "list":
        for s in c.session_list():
            print(f"{s.name}\t{'ended' if s.ended else 'open'}\t{len(s.env)} env")
    elif a.action == "new":
        print(f"created session '{c.session_new(name=a.args[1], interactive=a.interactive).name}'")
    elif a.action == "end":
        c.session_get(name=a.args[1]).end()
    elif a.action == "delete":
        if not a.yes:
            raise HeroError("This removes the session with its database and logs; add --yes to confirm.")
        c.session_delete(name=a.args[1])


def cmd_env(a: argparse.Namespace) -> None:
    s = _context(a.args[0]).session_get(name=a.args[1])
    if a.action == "list":
        for k, v in sorted(s.env.items()):
            print(f"{k}={v}")
    elif a.action == "get":
        print(s.env_get(a.args[2]))
    elif a.action == "set":
        s.env_set(a.args[2], a.args[3])
    elif a.action == "delete":
        s.env_delete(a.args[2])


def cmd_config(a: argparse.Namespace) -> None:
    c = _context(a.args[0])
    if a.action == "list":
        for cat, name in c.hero_config_list():
            print(f"{cat}\t{name}")
    elif a.action == "get":
        sys.stdout.write(c.hero_config_get(a.args[1], a.args[2]))
    elif a.action == "set":
        c.hero_config_set(a.args[1], a.args[2], _read_stdin("content: "))
    elif a.action == "delete":
        c.hero_config_delete(a.args[1], a.args[2])


def cmd_secret(a: argparse.Namespace) -> None:
    c = _context(a.args[0])
    if a.action == "list":
        for name in c.secrets.names():
            print(name)
    elif a.action == "get":
        print(c.secrets.get(a.args[1]))
    elif a.action == "set":
        c.secrets.set(a.args[1], _read_stdin(f"value of {a.args[1]}: ", secret=True))
    elif a.action == "delete":
        c.secrets.delete(a.args[1])


def cmd_redis(a: argparse.Namespace) -> None:
    if a.action == "url":
        print(redisconn.redis_url())
    elif a.action == "start":
        print(redisconn.start_embedded())
    elif a.action == "stop":
        print("stopped" if redisconn.stop_embedded() else "not running")


def cmd_master_key(a: argparse.Namespace) -> None:
    from heroweb.base.rotation import master_key_finish, master_key_rotate

    if a.action == "rotate":
        new, installed = master_key_rotate()
        if installed:
            print("rotated: every context's data key is wrapped under the new master key")
        else:
            print(
                "Phase 1 done. Set this as HERO_MASTER_KEY, restart heroweb, then run "
                "'heroweb master-key finish':"
            )
            print(base64.b64encode(new).decode())
    elif a.action == "finish":
        print(f"finished: {master_key_finish()} context(s) now use only the new master key")


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], None], list[str]]] = {
    "context": (cmd_context, ["list", "new", "show", "delete"]),
    "session": (cmd_session, ["list", "new", "end", "delete"]),
    "env": (cmd_env, ["list", "get", "set", "delete"]),
    "config": (cmd_config, ["list", "get", "set", "delete"]),
    "secret": (cmd_secret, ["list", "get", "set", "delete"]),
    "redis": (cmd_redis, ["url", "start", "stop"]),
    "master-key": (cmd_master_key, ["rotate", "finish"]),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="heroweb", description="Manage hero contexts and sessions.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, actions) in COMMANDS.items():
        p = sub.add_parser(name)
        p.add_argument("action", choices=actions)
        p.add_argument("args", nargs="*")
        p.add_argument("--coderoot", default="")
        p.add_argument("--description", default="")
        p.add_argument("--interactive", action="store_true")
        p.add_argument("--yes", action="store_true")
    a = parser.parse_args(argv)
    try:
        COMMANDS[a.command][0](a)
    except HeroError as e:
        print(f"heroweb: {e.message}", file=sys.stderr)
        return 1
    except IndexError:
        print(f"heroweb: '{a.command} {a.action}' needs more arguments; see heroweb --help.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
