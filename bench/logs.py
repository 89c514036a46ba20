"""Log streaming speed (issue 4), measured in one run against a real uvicorn. Not a test.

1. write-to-client latency of single lines (SSE client in Python), p50/p99;
2. lines/s to one SSE client from a fast writer, beside ``tail -F`` of the same file into a pipe
   (both run at once on the same writes), and the same for catching up on a written backlog;
3. memory and CPU of 500 idle SSE viewers on one uvicorn process, and the fan-out time of one
   line to all of them.

Run: ``.venv/bin/python bench/logs.py`` (``make bench``). Uses a temp HERO_HOME and its own
embedded Redis, so it touches nothing of yours.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOME = Path(tempfile.mkdtemp(prefix="hwbl-"))  # short: the Redis unix socket lives under it
os.environ["HERO_HOME"] = str(HOME)
os.environ.pop("REDIS_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "heroweb.settings"

import httpx  # noqa: E402

from heroweb.base import context_new, redisconn  # noqa: E402
from heroweb.base.log import Logger, file_name_for  # noqa: E402
from tests.logs.sse import events  # noqa: E402

USER, PASSWORD = "bench", "bench-password-not-secret"
LATENCY_SAMPLES = 400
THROUGHPUT_LINES = 200_000
IDLE_VIEWERS = 500
IDLE_SECONDS = 10.0

WRITER = """
import sys, time
from heroweb.base.log import Logger
logger = Logger(sys.argv[1])
n, ts = int(sys.argv[2]), float(sys.argv[3])
print("start", time.time(), flush=True)
for i in range(n):
    logger.log(log=f"tp {i}", cat="bench", timestamp=ts)
print("end", time.time(), flush=True)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, timeout=120
    )


def _login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert answer.status_code == 302, answer.status_code
    return client


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"Threads:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def _proc_stats(pid: int) -> tuple[int, float]:
    """(RSS in bytes, CPU seconds) of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss_kb * 1024, (int(fields[11]) + int(fields[12])) / ticks


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ------------------------------------------------------------------------------------------------


def bench_latency(client: httpx.Client, url: str, logs: Path) -> list[float]:
    logger = Logger(logs)
    latencies: list[float] = []
    ready = threading.Event()

    def read() -> None:
        with client.stream("GET", url + "?n=0") as response:
            for ev in events(response):
                if ev.name == "history":
                    ready.set()
                elif ev.name == "entries":
                    now = time.time()
                    for e in ev.json()["entries"]:
                        latencies.append(now - float(e["m"].split()[1]))
                if len(latencies) >= LATENCY_SAMPLES:
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(10)
    time.sleep(0.2)
    for _ in range(LATENCY_SAMPLES):
        logger.log(log=f"lat {time.time():.6f}", cat="bench")
        time.sleep(random.uniform(0.01, 0.04))  # single lines, not a burst
    reader.join(30)
    return latencies


def bench_throughput(client: httpx.Client, url: str, logs: Path) -> dict[str, float]:
    n = THROUGHPUT_LINES
    ts = time.time()
    target = logs / file_name_for(int(ts))
    done: dict[str, float] = {}
    sse_ready = threading.Event()

    def sse() -> None:
        count = 0
        with client.stream("GET", url + "?n=0") as response:
            for ev in events(response):
                if ev.name == "history":
                    sse_ready.set()
                elif ev.name == "entries":
                    count += len(ev.json()["entries"])
                    if count >= n:
                        done["sse"] = time.time()
                        return

    tail = subprocess.Popen(
        ["tail", "-n", "+1", "-F", str(target)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )

    def tail_reader() -> None:
        count = 0
        assert tail.stdout is not None
        for line in tail.stdout:
            if line.startswith(b"  bench"):
                count += 1
                if count >= n:
                    done["tail"] = time.time()
                    return

    threads = [threading.Thread(target=sse, daemon=True), threading.Thread(target=tail_reader, daemon=True)]
    for t in threads:
        t.start()
    sse_ready.wait(10)
    time.sleep(0.5)  # tail is waiting for the file
    writer = subprocess.run(
        [sys.executable, "-c", WRITER, str(logs), str(n), str(ts)],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    marks = dict(line.split() for line in writer.stdout.split("\n") if line)
    start, end = float(marks["start"]), float(marks["end"])
    for t in threads:
        t.join(120)
    tail.kill()
    tail.wait()
    result = {
        "writer": n / (end - start),
        "sse": n / (done.get("sse", float("inf")) - start),
        "tail": n / (done.get("tail", float("inf")) - start),
    }

    # Catching up on the backlog just written: the whole file from its start.
    t0 = time.time()
    count = 0
    with client.stream("GET", url + "?after=0") as response:
        for ev in events(response):
            if ev.name == "entries":
                count += len(ev.json()["entries"])
                if count >= n:
                    break
    result["sse_backlog"] = n / (time.time() - t0)
    t0 = time.time()
    with subprocess.Popen(["tail", "-n", "+1", str(target)], stdout=subprocess.PIPE) as cat:
        assert cat.stdout is not None
        lines = sum(1 for line in cat.stdout if line.startswith(b"  bench"))
    result["tail_backlog"] = lines / (time.time() - t0)
    return result


async def bench_idle(base: str, cookies: httpx.Cookies, url: str, pid: int, logs: Path) -> dict[str, float]:
    limits = httpx.Limits(max_connections=IDLE_VIEWERS + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=120) as client:
        await client.get("/login/")  # warm the process before the baseline
        rss_before, _ = _proc_stats(pid)
        threads_before = _threads(pid)
        responses: list[httpx.Response] = []
        readers = []

        async def open_one() -> None:
            response = await client.send(client.build_request("GET", url + "?n=0"), stream=True)
            lines = response.aiter_lines()
            while (await lines.__anext__()) != "event: history":
                pass
            responses.append(response)
            readers.append(lines)

        for i in range(0, IDLE_VIEWERS, 50):
            await asyncio.gather(*(open_one() for _ in range(min(50, IDLE_VIEWERS - i))))
        await asyncio.sleep(1.0)
        rss_open, cpu0 = _proc_stats(pid)
        await asyncio.sleep(IDLE_SECONDS)
        rss_idle, cpu1 = _proc_stats(pid)
        threads_idle = _threads(pid)

        # One line to all of them: when has the last viewer got it?
        async def wait_line(lines: object) -> float:
            async for line in lines:  # type: ignore[attr-defined]
                if line.startswith("data:") and "fanout" in line:
                    return time.time()
            return float("inf")

        waiting = [asyncio.ensure_future(wait_line(lines)) for lines in readers]
        await asyncio.sleep(0.2)
        t0 = time.time()
        Logger(logs).log(log="fanout", cat="bench")
        arrived = await asyncio.gather(*waiting)
        for response in responses:
            await response.aclose()
    await asyncio.sleep(1.0)
    rss_after, _ = _proc_stats(pid)
    return {
        "viewers": float(len(responses)),
        "rss_before_mb": rss_before / 2**20,
        "rss_open_mb": rss_open / 2**20,
        "rss_idle_mb": rss_idle / 2**20,
        "rss_after_close_mb": rss_after / 2**20,
        "cpu_pct": 100 * (cpu1 - cpu0) / IDLE_SECONDS,
        "fanout_last_ms": 1000 * (max(arrived) - t0),
        "threads_before": float(threads_before),
        "threads_idle": float(threads_idle),
        "fanout_median_ms": 1000 * (statistics.median(arrived) - t0),
    }


def main() -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        _manage("migrate", "--noinput")
        _manage(
            "shell", "-c",
            "from django.contrib.auth import get_user_model\n"
            f"get_user_model().objects.create_superuser({USER!r}, '', {PASSWORD!r})\n",
        )  # fmt: skip
        context = context_new(id=1, name="bench")
        sessions = {name: context.session_new(name=name) for name in ("latency", "throughput", "idle")}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "heroweb.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT,
        )  # fmt: skip
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(base + "/login/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.time() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.1)
        client = _login(base)

        def stream_url(name: str) -> str:
            return f"/contexts/1/sessions/{name}/log/stream/"

        print(f"heroweb log streaming, one uvicorn process, {os.cpu_count()} CPUs")
        lat = bench_latency(client, stream_url("latency"), sessions["latency"].logs_path)
        print(
            f"latency write->SSE client ({len(lat)} single lines): "
            f"p50 {1000 * statistics.median(lat):.1f} ms, p99 {1000 * _pct(lat, 0.99):.1f} ms, "
            f"max {1000 * max(lat):.1f} ms  (goal: p50 < 50 ms)"
        )
        tp = bench_throughput(client, stream_url("throughput"), sessions["throughput"].logs_path)
        print(
            f"throughput, {THROUGHPUT_LINES} lines from one fast writer ({tp['writer']:,.0f} lines/s):"
            f" SSE {tp['sse']:,.0f} lines/s, tail -F {tp['tail']:,.0f} lines/s,"
            f" ratio SSE/tail {tp['sse'] / tp['tail']:.2f}  (goal: >= 0.5)"
        )
        print(
            f"catch-up on the written backlog: SSE {tp['sse_backlog']:,.0f} lines/s, "
            f"tail -n +1 {tp['tail_backlog']:,.0f} lines/s, "
            f"ratio {tp['sse_backlog'] / tp['tail_backlog']:.2f}"
        )
        assert server is not None
        idle = asyncio.run(
            bench_idle(base, client.cookies, stream_url("idle"), server.pid, sessions["idle"].logs_path)
        )
        extra = idle["rss_idle_mb"] - idle["rss_before_mb"]
        print(
            f"{idle['viewers']:.0f} idle viewers: RSS {idle['rss_before_mb']:.0f} -> "
            f"{idle['rss_idle_mb']:.0f} MB (+{extra:.1f} MB, {1024 * extra / idle['viewers']:.0f} KB "
            f"each; goal < 100 MB extra), CPU {idle['cpu_pct']:.1f}% of one core while idle, "
            f"after close {idle['rss_after_close_mb']:.0f} MB; threads "
            f"{idle['threads_before']:.0f} -> {idle['threads_idle']:.0f}"
        )
        print(
            f"one line to all {idle['viewers']:.0f} viewers: median {idle['fanout_median_ms']:.0f} ms, "
            f"last {idle['fanout_last_ms']:.0f} ms"
        )
        client.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        redisconn.stop_embedded()
        shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    main()
