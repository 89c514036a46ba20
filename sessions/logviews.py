"""Live session logs: pages, a Server-Sent Events stream, search, scroll-back and download.

The streams are async views for the ASGI server (uvicorn), so a viewer costs a coroutine and a
queue, not a thread. One ``_Hub`` per log folder (and event loop) polls the folder every 20 ms
with three small syscalls (see ``heroweb.base.log.Follower``), parses new entries once and fans
the batch out to every viewer. A viewer owns a cursor (a position); a batch it did not get (it
connected with ``Last-Event-ID``, or fell behind) is read straight from the files, so resuming
is exact: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import Resolver404, ResolverMatch, path, resolve, reverse
from django.views.decorators.http import require_GET

from contexts.permissions import get_role, require_role
from heroweb.base import Context, Session, context_get
from heroweb.base.errors import HeroError, NotFound
from heroweb.base.log import (
    START,
    Filter,
    Follower,
    LogEntry,
    LogReader,
    Position,
    decode_positions,
    encode_positions,
    format_entry,
    header_for,
    merge_before,
    merge_tail,
)

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02  # the new-line detection interval: most of the latency budget is here
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 1000
HISTORY_DEFAULT = 1000
HISTORY_MAX = 5000
BATCH_BYTES = 256 * 1024
EVENT_MAX_ENTRIES = 2000
QUEUE_LIMIT = 64  # batches a slow viewer may have pending before it reads from disk instead
PAGE_ROWS = 200  # rows rendered in the page itself, for people without JavaScript
SEARCH_PAGE = 200
NEW_SESSION_CHECK_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 60.0

SSE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx would otherwise buffer the stream
}


# ---------------------------------------------------------------------------------------------
# One reader per log folder, fanning out to every viewer


@dataclass(eq=False)
class _Subscriber:
    queue: asyncio.Queue[tuple[str, Position, Position, list[LogEntry]] | None]
    source: str
    lagging: bool = False


@dataclass(eq=False)
class _Hub:
    reader: LogReader
    follower: Follower
    subscribers: set[_Subscriber] = field(default_factory=set)
    task: asyncio.Task[None] | None = None

    @property
    def position(self) -> Position:
        return self.follower.position

    async def run(self, key: tuple[int, str]) -> None:
        try:
            while self.subscribers:
                try:
                    if not self.follower.changed():
                        await asyncio.sleep(POLL_SECONDS)
                        continue
                    start = self.follower.position
                    entries = self.follower.read(BATCH_BYTES)
                except OSError:
                    # The folder went away (session deleted) or a file was cut: keep watching.
                    logger.exception("reading %s", self.reader.path)
                    await asyncio.sleep(1)
                    continue
                end = self.follower.position
                if end != start:
                    self._publish(start, end, entries)
                await asyncio.sleep(0)  # let the viewers send before the next batch
        finally:
            if _hubs.get(key) is self:
                del _hubs[key]
            self.follower.close()

    def _publish(self, start: Position, end: Position, entries: list[LogEntry]) -> None:
        for sub in self.subscribers:
            if sub.lagging:
                continue
            if sub.queue.qsize() >= QUEUE_LIMIT:
                # A stuck client must not hold memory: it reads from disk when it wakes up.
                sub.lagging = True
                sub.queue.put_nowait(None)
                continue
            sub.queue.put_nowait((sub.source, start, end, entries))


_hubs: dict[tuple[int, str], _Hub] = {}


def _subscribe(logs_path: Path, sub: _Subscriber) -> _Hub:
    loop = asyncio.get_running_loop()
    # Keyed by loop too: a hub's task belongs to the loop that started it.
    key = (id(loop), str(logs_path))
    hub = _hubs.get(key)
    if hub is None or hub.task is None or hub.task.done():
        reader = LogReader(logs_path)  # viewers tag entries with their session themselves
        hub = _Hub(reader=reader, follower=Follower(reader, reader.end_position()))
        _hubs[key] = hub
        hub.subscribers.add(sub)
        hub.task = loop.create_task(hub.run(key))
    else:
        hub.subscribers.add(sub)
    return hub


# ---------------------------------------------------------------------------------------------
# SSE encoding


def _event(name: str, cursor: str, entries: list[LogEntry], **extra: Any) -> bytes:
    data = json.dumps(
        {"entries": [e.to_dict() for e in entries], **extra},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"id: {cursor}\nevent: {name}\ndata: {data}\n\n".encode()


@dataclass
class _Source:
    name: str
    logs_path: Path
    cursor: Position
    reader: LogReader = field(init=False)
    hub: _Hub | None = None

    def __post_init__(self) -> None:
        self.reader = LogReader(self.logs_path, source=self.name)


async def _stream(
    sources: list[_Source],
    *,
    flt: Filter,
    history: list[LogEntry] | None,
    cursor_of: Callable[[list[_Source]], str],
    discover: Callable[[], list[_Source]] | None = None,
) -> AsyncIterator[bytes]:
    """The SSE body: history (if any), catch-up from each cursor, then the live batches."""
    queue: asyncio.Queue[tuple[str, Position, Position, list[LogEntry]] | None] = asyncio.Queue()
    subs: list[tuple[_Source, _Subscriber]] = []
    by_name = {s.name: s for s in sources}

    def attach(src: _Source) -> None:
        sub = _Subscriber(queue=queue, source=src.name)
        src.hub = _subscribe(src.logs_path, sub)
        subs.append((src, sub))

    def read_some(src: _Source) -> tuple[list[LogEntry], bool]:
        # Runs in a thread: a filter that matches little may scan a lot.
        out: list[LogEntry] = []
        while len(out) < EVENT_MAX_ENTRIES:
            entries, nxt = src.reader.read_from(src.cursor, BATCH_BYTES)
            out.extend(e for e in entries if flt(e))
            if nxt == src.cursor:
                return out, True
            src.cursor = nxt
        return out, False

    def events(entries: list[LogEntry]) -> Iterator[bytes]:
        for i in range(0, len(entries), EVENT_MAX_ENTRIES):
            yield _event("entries", cursor_of(sources), entries[i : i + EVENT_MAX_ENTRIES])

    async def catch_up(src: _Source) -> AsyncIterator[bytes]:
        """Read from the files until the cursor reaches the end (what the hub did not give)."""
        while True:
            entries, done = await asyncio.to_thread(read_some, src)
            if entries:
                for chunk in events(entries):
                    yield chunk
            if done:
                return

    try:
        for src in sources:
            attach(src)  # before catching up: nothing written meanwhile can slip between
        yield f"retry: {RETRY_MS}\n\n".encode()
        if history is not None:
            yield _event("history", cursor_of(sources), history)
        for src in sources:
            async for chunk in catch_up(src):
                yield chunk
        loop = asyncio.get_running_loop()
        last_send = last_discover = loop.time()
        while True:
            timeout = HEARTBEAT_SECONDS - (loop.time() - last_send)
            if discover is not None:
                timeout = min(timeout, NEW_SESSION_CHECK_SECONDS)
            try:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation (the client left) when the inner await finishes at that moment.
                async with asyncio.timeout(max(timeout, 0.01)):
                    msg = await queue.get()
            except TimeoutError:
                if discover is not None and loop.time() - last_discover >= NEW_SESSION_CHECK_SECONDS:
                    last_discover = loop.time()
                    for src in await asyncio.to_thread(discover):
                        if src.name not in by_name:
                            by_name[src.name] = src
                            sources.append(src)
                            attach(src)
                            async for chunk in catch_up(src):
                                last_send = loop.time()
                                yield chunk
                if loop.time() - last_send >= HEARTBEAT_SECONDS:
                    last_send = loop.time()
                    yield b": keep-alive\n\n"
                continue
            # Take every batch already queued: one event carries them all.
            batch: list[LogEntry] = []
            behind: list[_Source] = []
            while True:
                if msg is None:
                    for src, sub in subs:
                        if sub.lagging:
                            sub.lagging = False
                            behind.append(src)
                else:
                    name, start, end, entries = msg
                    src = by_name[name]
                    if end > src.cursor and src not in behind:
                        if start <= src.cursor:
                            batch.extend(
                                _tag(e, src.name) for e in entries if e.position >= src.cursor and flt(e)
                            )
                            src.cursor = end
                        else:  # a batch was missed: read it from the files
                            behind.append(src)
                try:
                    msg = queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
            if batch:
                if len(sources) > 1:
                    batch.sort(key=lambda e: e.epoch)
                for chunk in events(batch):
                    yield chunk
                last_send = loop.time()
            for src in behind:
                async for chunk in catch_up(src):
                    yield chunk
                last_send = loop.time()
    finally:
        # The client left (Django cancels this generator) or the server stops.
        for src, sub in subs:
            if src.hub is not None:
                src.hub.subscribers.discard(sub)


def _tag(e: LogEntry, source: str) -> LogEntry:
    if not source or e.source == source:
        return e
    return LogEntry(e.timestamp, e.cat, e.log, e.logtype, e.position, source)


# ---------------------------------------------------------------------------------------------
# Request parsing


def _parse_time(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    try:
        return int(float(value))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a time: {value!r} (use epoch seconds or ISO 8601)") from exc
    # A time without a zone is UTC, like the log files.
    return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp())


def _filter_from(request: HttpRequest) -> Filter:
    level = request.GET.get("level", "")
    if level not in ("", "error", "stdout"):
        raise ValueError("level must be error or stdout")
    return Filter(
        cat=request.GET.get("cat", ""),
        text=request.GET.get("q", ""),
        logtype=level or None,  # type: ignore[arg-type]
        time_from=_parse_time(request.GET.get("from")),
        time_to=_parse_time(request.GET.get("to")),
    )


def _int_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    try:
        return max(0, min(int(request.GET.get(name, default)), maximum))
    except ValueError:
        return default


def _position_param(value: str | None) -> Position | None:
    return Position.decode(value) if value else None


def _load(context_id: int, user: Any, session_name: str | None) -> tuple[Context, Session | None]:
    """Permission first, then the lookups: as on the dashboard pages, a non-member gets a 404
    (the same answer as for a context that does not exist), a member below the role a 403."""
    if get_role(user, context_id) is None:
        raise Http404(f"There is no context {context_id} that you can see.")
    require_role(user, context_id, "viewer")
    try:
        context = context_get(context_id)
        session = context.session_get(name=session_name) if session_name is not None else None
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except HeroError as exc:  # an invalid name in the URL is simply not there
        raise Http404(exc.message) from exc
    return context, session


async def _aload(
    request: HttpRequest, context_id: int, session_name: str | None
) -> tuple[Context, Session | None]:
    user = await request.auser()
    return await sync_to_async(_load)(context_id, user, session_name)


def _context_sources(context: Context) -> list[_Source]:
    return [_Source(name=s.name, logs_path=s.logs_path, cursor=START) for s in context.session_list()]


def _context_readers(context: Context) -> list[LogReader]:
    """One reader per session, each tagging its entries with the session's name."""
    return [LogReader(s.logs_path, source=s.name) for s in context.session_list()]


def _first_matches(entries: Iterable[LogEntry], flt: Filter, n: int) -> list[LogEntry]:
    """The first ``n`` entries that pass ``flt``, in the order ``entries`` gives them."""
    out: list[LogEntry] = []
    for e in entries:
        if flt(e):
            out.append(e)
            if len(out) >= n:
                break
    return out


def _entries_response(entries: list[LogEntry], **extra: Any) -> JsonResponse:
    return JsonResponse({"entries": [e.to_dict() for e in entries], **extra})


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------------------------------------
# Session log views


@require_GET
def session_log(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """The log page: the last rows rendered in the HTML, live updates by logview.js."""
    context, session = _load(context_id, request.user, name)
    assert session is not None
    entries, end = LogReader(session.logs_path).tail(PAGE_ROWS)
    base = reverse("hero_sessions:log", args=[context_id, name])
    return render(
        request,
        "sessions/session_log.html",
        {
            "context": context,
            "session": session,
            "entries": entries,
            "end": end.encode() if end.file else "",
            "urls": {
                "stream": base + "stream/",
                "search": base + "search/",
                "older": base + "older/",
                "download": base + "download/",
            },
        },
    )


@require_GET
async def session_log_stream(request: HttpRequest, context_id: int, name: str) -> HttpResponseBase:
    """SSE: the last ``n`` entries (unless resuming), then new ones as they are written.

    Resume with ``Last-Event-ID`` (the browser sends it on reconnect) or ``?after=<position>``.
    Under uvicorn, ``with_log_streams`` serves this URL before Django's handler sees it.
    """
    try:
        body = await _session_stream_body(request, await request.auser(), context_id, name)
    except ValueError as exc:
        return _bad(str(exc))
    return StreamingHttpResponse(body, content_type="text/event-stream", headers=SSE_HEADERS)


async def _session_stream_body(
    request: HttpRequest, user: Any, context_id: int, name: str
) -> AsyncIterator[bytes]:
    _, session = await sync_to_async(_load)(context_id, user, name)
    assert session is not None
    flt = _filter_from(request)
    after = _position_param(request.headers.get("Last-Event-ID") or request.GET.get("after") or None)
    src = _Source(name="", logs_path=session.logs_path, cursor=START)
    history: list[LogEntry] | None = None
    if after is not None:
        src.cursor = after
    else:
        n = _int_param(request, "n", HISTORY_DEFAULT, HISTORY_MAX)
        history, src.cursor = await asyncio.to_thread(_history, src.reader, flt, n)
    return _stream([src], flt=flt, history=history, cursor_of=lambda s: s[0].cursor.encode())


def _history(reader: LogReader, flt: Filter, n: int) -> tuple[list[LogEntry], Position]:
    end = reader.end_position()
    if flt.empty:
        return reader.before(end, n) if n else [], end
    return _first_matches(reader.iter_backward(end), flt, n)[::-1], end


@require_GET
async def session_log_older(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """A page of (filtered) entries: ``before=<pos>`` for scroll-back (oldest first), or
    ``after=<pos>`` for the entries from a position on (a permalink's surroundings)."""
    _, session = await _aload(request, context_id, name)
    assert session is not None
    try:
        flt = _filter_from(request)
        before = _position_param(request.GET.get("before"))
        after = _position_param(request.GET.get("after"))
    except ValueError as exc:
        return _bad(str(exc))
    n = _int_param(request, "n", 500, HISTORY_MAX)
    reader = LogReader(session.logs_path)

    def read() -> list[LogEntry]:
        if after is not None:
            return _first_matches(reader.iter_entries(after), flt, n)
        return _first_matches(reader.iter_backward(before), flt, n)[::-1]

    entries = await asyncio.to_thread(read)
    return _entries_response(entries, done=len(entries) < n)


@require_GET
async def session_log_search(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """Full-history search, newest match first; page with ``before=<position of the last>``."""
    _, session = await _aload(request, context_id, name)
    assert session is not None
    try:
        flt = _filter_from(request)
        before = _position_param(request.GET.get("before"))
    except ValueError as exc:
        return _bad(str(exc))
    n = _int_param(request, "n", SEARCH_PAGE, 1000)
    reader = LogReader(session.logs_path)

    def search() -> list[LogEntry]:
        newest_first: Iterable[LogEntry] = reader.iter_backward(before)
        if flt.time_from is not None:
            # Newest first: an hour before ``from`` (slack for out-of-order lines), stop reading.
            cutoff = flt.time_from - 3600
            newest_first = itertools.takewhile(lambda e: e.epoch >= cutoff, newest_first)
        return _first_matches(newest_first, flt, n)

    entries = await asyncio.to_thread(search)
    return _entries_response(entries, next=entries[-1].position.encode() if len(entries) >= n else None)


@require_GET
async def session_log_download(request: HttpRequest, context_id: int, name: str) -> HttpResponseBase:
    """The whole log (raw herolib files) or, with filters, the matching entries; streamed."""
    context, session = await _aload(request, context_id, name)
    assert session is not None
    try:
        flt = _filter_from(request)
    except ValueError as exc:
        return _bad(str(exc))
    reader = LogReader(session.logs_path)
    parts: Iterator[bytes] = reader.iter_raw() if flt.empty else _formatted(reader.iter_entries(), flt)
    filename = f"{context.name}-{session.name}{'-filtered' if not flt.empty else ''}.log"
    response = StreamingHttpResponse(_async_chunks(parts), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _formatted(entries: Iterator[LogEntry], flt: Filter) -> Iterator[bytes]:
    """Matching entries in herolib's format again, so a filtered download reads back too."""
    buf: list[str] = []
    size = 0
    last = -1
    for e in entries:
        if not flt(e):
            continue
        text = ""
        if e.epoch > last:
            text = f"\n{header_for(e.epoch)}\n"
            last = e.epoch
        text += format_entry(log=e.log, cat=e.cat, logtype=e.logtype).rstrip() + "\n"
        if e.source:
            text = text.replace(" - ", f" - [{e.source}] ", 1)
        buf.append(text)
        size += len(text)
        if size >= 1 << 16:
            yield "".join(buf).encode()
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode()


async def _async_chunks(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Django would otherwise read a sync iterator into a list first (whole log in memory).
    sentinel = b""
    while True:
        chunk = await asyncio.to_thread(next, parts, sentinel)
        if chunk is sentinel:
            return
        yield chunk


# ---------------------------------------------------------------------------------------------
# Context (merged) log views


@require_GET
def context_log(request: HttpRequest, context_id: int) -> HttpResponse:
    context, _ = _load(context_id, request.user, None)
    readers = _context_readers(context)
    entries, ends = merge_tail(readers, PAGE_ROWS)
    base = reverse("contexts:log", args=[context_id])
    return render(
        request,
        "contexts/context_log.html",
        {
            "context": context,
            "entries": entries,
            "end": encode_positions(ends),
            "session_log_url": reverse("hero_sessions:log", args=[context_id, "__session__"]),
            "urls": {
                "stream": base + "stream/",
                "older": base + "older/",
                "search": base + "search/",
                "download": base + "download/",
            },
        },
    )


@require_GET
async def context_log_stream(request: HttpRequest, context_id: int) -> HttpResponseBase:
    """One stream for all sessions of a context, merged in time order."""
    try:
        body = await _context_stream_body(request, await request.auser(), context_id)
    except ValueError as exc:
        return _bad(str(exc))
    return StreamingHttpResponse(body, content_type="text/event-stream", headers=SSE_HEADERS)


async def _context_stream_body(request: HttpRequest, user: Any, context_id: int) -> AsyncIterator[bytes]:
    context, _ = await sync_to_async(_load)(context_id, user, None)
    flt = _filter_from(request)
    resume = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    after = decode_positions(resume) if resume else None
    sources = await sync_to_async(_context_sources)(context)
    history: list[LogEntry] | None = None
    if after is not None:
        for src in sources:
            src.cursor = after.get(src.name, START)
    else:
        n = _int_param(request, "n", HISTORY_DEFAULT, HISTORY_MAX)
        history = await asyncio.to_thread(_merged_history, sources, flt, n)

    def discover() -> list[_Source]:
        # A session created while the page is open: its folder appears under the context.
        found: list[_Source] = []
        known = {s.name for s in sources}
        with contextlib.suppress(FileNotFoundError):
            for child in sorted(context.path.iterdir()):
                if child.name not in known and (child / "logs").is_dir():
                    found.append(_Source(name=child.name, logs_path=child / "logs", cursor=START))
        return found

    return _stream(
        sources,
        flt=flt,
        history=history,
        cursor_of=lambda s: encode_positions({x.name: x.cursor for x in s}),
        discover=discover,
    )


def _merged_history(sources: list[_Source], flt: Filter, n: int) -> list[LogEntry]:
    per: list[list[LogEntry]] = []
    for src in sources:
        entries, src.cursor = _history(src.reader, flt, n)
        per.append(entries)
    merged = sorted((e for entries in per for e in entries), key=lambda e: e.epoch)
    return merged[-n:] if n else []


@require_GET
async def context_log_older(request: HttpRequest, context_id: int) -> HttpResponse:
    context, _ = await _aload(request, context_id, None)
    try:
        flt = _filter_from(request)
        before = decode_positions(request.GET.get("before", ""))
    except ValueError as exc:
        return _bad(str(exc))
    n = _int_param(request, "n", 500, HISTORY_MAX)
    readers = _context_readers(context)
    # A session with no position yet in the view: everything it has is "older".
    positions = {r.source: before.get(r.source) or r.end_position() for r in readers}

    def older() -> list[LogEntry]:
        if flt.empty:
            return merge_before(readers, positions, n)
        per = [_first_matches(r.iter_backward(positions[r.source]), flt, n)[::-1] for r in readers]
        return sorted((e for g in per for e in g), key=lambda e: e.epoch)[-n:]

    entries = await asyncio.to_thread(older)
    return _entries_response(entries, done=len(entries) < n)


@require_GET
async def context_log_search(request: HttpRequest, context_id: int) -> HttpResponse:
    """Search every session's history, newest match first (one page of ``n``)."""
    context, _ = await _aload(request, context_id, None)
    try:
        flt = _filter_from(request)
        before = decode_positions(request.GET.get("before", ""))
    except ValueError as exc:
        return _bad(str(exc))
    n = _int_param(request, "n", SEARCH_PAGE, 1000)
    readers = _context_readers(context)

    def search() -> list[LogEntry]:
        per = [_first_matches(r.iter_backward(before.get(r.source)), flt, n) for r in readers]
        return sorted((e for g in per for e in g), key=lambda e: e.epoch, reverse=True)[:n]

    entries = await asyncio.to_thread(search)
    nxt = None
    if len(entries) >= n:
        # Per session, the oldest match shown so far is where the next page starts.
        oldest: dict[str, Position] = dict(before)
        for e in entries:
            oldest[e.source] = e.position
        nxt = encode_positions(oldest)
    return _entries_response(entries, next=nxt)


@require_GET
async def context_log_download(request: HttpRequest, context_id: int) -> HttpResponseBase:
    """All sessions' logs merged in time order (entries marked with their session)."""
    from heroweb.base.log import merge_iter

    context, _ = await _aload(request, context_id, None)
    try:
        flt = _filter_from(request)
    except ValueError as exc:
        return _bad(str(exc))
    readers = _context_readers(context)
    parts = _formatted(merge_iter(readers, {}), flt)
    response = StreamingHttpResponse(_async_chunks(parts), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{context.name}-all-sessions.log"'
    return response


# ---------------------------------------------------------------------------------------------
# Streams outside Django's request handler


def with_log_streams(app: Any) -> Any:
    """Wrap Django's ASGI application so log streams bypass its per-request thread.

    Django runs every request inside an asgiref ``ThreadSensitiveContext``; the sync middleware
    (sessions, auth, CSRF, ...) then gets a thread of its own that lives as long as the request.
    For a stream that is a thread per viewer for hours. Here the two stream URLs are served
    by plain asyncio: the session cookie and the user are loaded with Django's async APIs, the
    permission is checked as in the views, and the body is the same ``_stream``.
    """

    async def router(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            match = _stream_match(scope)
            if match is not None:
                await _serve_stream(scope, receive, send, match)
                return
        await app(scope, receive, send)

    return router


def _stream_match(scope: dict[str, Any]) -> ResolverMatch | None:
    path_ = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path_.startswith(root):
        path_ = path_[len(root) :]
    if not path_.endswith("/log/stream/"):
        return None  # the cheap test first: every other request goes straight to Django
    try:
        match = resolve(path_)
    except Resolver404:
        return None
    return match if match.func in (session_log_stream, context_log_stream) else None


async def _serve_stream(scope: dict[str, Any], receive: Any, send: Any, match: ResolverMatch) -> None:
    from django.conf import settings
    from django.contrib.auth import aget_user
    from django.core.exceptions import PermissionDenied
    from django.core.handlers.asgi import ASGIRequest
    from django.db import close_old_connections

    request = ASGIRequest(scope, io.BytesIO())
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    status, message = 200, ""
    body: AsyncIterator[bytes] | None = None
    try:
        user = await aget_user(request)
        if not user.is_authenticated:
            status, message = 401, "Log in first."
        elif "name" in match.kwargs:
            body = await _session_stream_body(request, user, **match.kwargs)
        else:
            body = await _context_stream_body(request, user, **match.kwargs)
    except PermissionDenied:
        status, message = 403, "You may not see this context."
    except Http404 as exc:
        status, message = 404, str(exc) or "Not found."
    except ValueError as exc:
        status, message = 400, str(exc)
    finally:
        await sync_to_async(close_old_connections)()  # what request_finished would do
    if body is None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": message.encode()})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )

    async def pump() -> None:
        assert body is not None
        async for chunk in body:
            # A client that stopped reading must not hold the stream (and its memory) forever.
            async with asyncio.timeout(WRITE_TIMEOUT_SECONDS):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [
        asyncio.ensure_future(pump()),
        asyncio.ensure_future(disconnected()),
        asyncio.ensure_future(_shutdown_event().wait()),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await body.aclose()  # type: ignore[attr-defined]  # runs _stream's cleanup now
    if tasks[1] not in done:
        # Server shutdown (or the body ended): finish the response, so uvicorn can stop; the
        # browser reconnects with Last-Event-ID and loses nothing.
        with contextlib.suppress(Exception):
            # Bounded: a client that stopped reading must not hold the shutdown either.
            async with asyncio.timeout(2.0):
                await send({"type": "http.response.body", "body": b"", "more_body": False})


_shutdown_events: dict[int, asyncio.Event] = {}


def _shutdown_event() -> asyncio.Event:
    """Set when the server is asked to stop (SIGINT/SIGTERM).

    uvicorn waits for every open response before it exits, and a log stream never ends by
    itself: without this, one open log page keeps the server from stopping. uvicorn's own
    handler is chained, not replaced.
    """
    loop = asyncio.get_running_loop()
    event = _shutdown_events.get(id(loop))
    if event is not None:
        return event
    event = _shutdown_events[id(loop)] = asyncio.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue  # nobody handles it (not under uvicorn): leave the default alone

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(event.set)
                previous(signum, frame)

            signal.signal(sig, handler)
    return event


# URL patterns, added to sessions/urls.py and contexts/urls.py (their prefixes differ).
session_urlpatterns = [
    path("<str:name>/log/", session_log, name="log"),
    path("<str:name>/log/stream/", session_log_stream, name="log_stream"),
    path("<str:name>/log/older/", session_log_older, name="log_older"),
    path("<str:name>/log/search/", session_log_search, name="log_search"),
    path("<str:name>/log/download/", session_log_download, name="log_download"),
]
context_urlpatterns = [
    path("<int:context_id>/log/", context_log, name="log"),
    path("<int:context_id>/log/stream/", context_log_stream, name="log_stream"),
    path("<int:context_id>/log/older/", context_log_older, name="log_older"),
    path("<int:context_id>/log/search/", context_log_search, name="log_search"),
    path("<int:context_id>/log/download/", context_log_download, name="log_download"),
]
