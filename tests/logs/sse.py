"""A small Server-Sent Events client for tests and bench/logs.py (httpx, line by line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Event:
    name: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


def events(response: httpx.Response) -> Iterator[Event]:
    """Parse the stream as the browser does: an event is complete at its blank line."""
    ev = Event()
    data: list[str] = []
    for line in response.iter_lines():
        if line == "":
            if data or ev.id is not None or ev.name != "message":
                ev.data = "\n".join(data)
                yield ev
            elif ev.comments:
                yield ev  # comment-only blocks: heartbeats, visible to tests
            ev, data = Event(), []
            continue
        if line.startswith(":"):
            ev.comments.append(line[1:].strip())
            continue
        key, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if key == "data":
            data.append(value)
        elif key == "event":
            ev.name = value
        elif key == "id":
            ev.id = value
