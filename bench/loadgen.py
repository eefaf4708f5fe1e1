"""A small HTTP/1.1 keep-alive load generator (asyncio) and gunicorn harness helpers.

wrk and locust are not among the packages the setup installs, so the benchmarks load the
server with this: ``connections`` concurrent keep-alive connections, each sending its next
request as soon as the previous answer is read, for ``duration`` seconds.

    from loadgen import load, serve, stop
    process, port = serve(["wsgi:app"], env, workers=2, threads=4)
    result = load(port, "GET", lambda n: f"/penalties/?page={n % 5 + 1}", connections=64,
                  duration=30)
    # result: requests, ok, errors, statuses, rps, p50_ms, p99_ms
    stop(process)

``path`` is a callable taking the request's sequence number (or a fixed string); ``body``
likewise returns the bytes to send (or None); ``headers`` adds fixed or per-request headers.

``run_users`` is the other mode: simulated users, each a session (cookies, bearer token) that
runs its own scenario with a think time between tasks — see the section below.
"""
import asyncio
import os
import random
import resource
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

PathFactory = Callable[[int], str] | str
BodyFactory = Callable[[int], bytes | None] | None
HeaderFactory = Callable[[int], dict] | dict | None


def _run(coroutine):
    """``asyncio.run``, also from a thread that already runs an event loop (a test process in
    which Playwright's synchronous API has started one): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _call(factory, n):
    return factory(n) if callable(factory) else factory


async def _read_response(reader) -> tuple[int, bool]:
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed before the status line")
    status = int(line.split()[1])
    length, close, chunked = 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _sep, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and "close" in value.lower():
            close = True
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while (size := int((await reader.readline()).split(b";")[0], 16)) > 0:
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return status, close


async def _connection(port, method, path, body, headers, deadline, state):
    counter, latencies, statuses = state
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            counter[0] += 1
            n = counter[0]
            payload = _call(body, n) if body is not None else None
            lines = [f"{method} {_call(path, n)} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
            lines += [f"{k}: {v}" for k, v in (_call(headers, n) or {}).items()]
            if payload is not None:
                lines.append(f"Content-Length: {len(payload)}")
            request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (payload or b"")
            started = time.perf_counter()
            try:
                writer.write(request)
                await writer.drain()
                status, close = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                statuses["connection_error"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _load(port, method, path, body, headers, connections, duration):
    state = ([0], [], Counter())
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_connection(port, method, path, body, headers, deadline, state)
                           for _ in range(connections)))
    return state[1], state[2], time.perf_counter() - started


def load(port: int, method: str, path: PathFactory, *, body: BodyFactory = None,
         headers: HeaderFactory = None, connections: int = 16, duration: float = 10) -> dict:
    """Load a server for ``duration`` seconds; figures of the 2xx and 3xx answers (ok), all
    statuses, requests per second and latency percentiles."""
    latencies, statuses, elapsed = _run(
        _load(port, method, path, body, headers, connections, duration))
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 \
            if latencies else float("nan")

    ok = sum(n for code, n in statuses.items() if isinstance(code, int) and 200 <= code < 400)
    requests = sum(statuses.values())
    return {"requests": requests, "ok": ok, "errors": requests - ok,
            "statuses": {str(k): v for k, v in statuses.items()}, "rps": ok / elapsed,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


# -- the harness ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def serve(target: list[str], env: dict | None = None, *, workers: int = 2, threads: int = 4,
          extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free loopback port; returns the process and the port."""
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *extra, *target],
        cwd=ROOT, env={**os.environ, **(env or {})})
    wait_for(port)
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def admin(server: str, sql: str) -> None:
    """One statement on the server's ``postgres`` database (create or drop a database)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


# -- simulated users: sessions with cookies, think time and a scenario each --------------------
#
#     recorder = Recorder()
#     figures = run_users(port, [Reader(...), Filer(...), ...], duration=300, think=(1, 2))
#
# Each user is an object with ``async start(session)`` (log in, fetch a token) and
# ``async task(session)`` (one thing a person does: usually one request). A user runs its
# task, pauses a think time drawn uniformly from ``think`` seconds (locust's between(1, 2)),
# and again, until ``duration`` has passed; a task under way then finishes, so every request
# sent is answered and counted. Users start evenly spread over ``ramp`` seconds.


class UserStopped(Exception):
    """A user cannot go on (its login failed): it stops; the failure is already recorded."""


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Recorder:
    """Every request's latency and outcome, by kind; an error is any answer its caller did
    not expect (status or content), a connection error or a time-out."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: dict[str, Counter] = defaultdict(Counter)
        self.examples: list[str] = []  # the first few errors, to say what went wrong
        self.tasks: Counter = Counter()  # tasks done, by the users' kind

    def record(self, kind: str, seconds: float | None, outcome, problem: str | None,
               where: str = "") -> None:
        if seconds is not None:
            self.latencies[kind].append(seconds)
        self.statuses[kind][str(outcome)] += 1
        if problem is not None:
            self.errors[kind][problem] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{kind}: {problem} ({where})")

    def figures(self, elapsed: float) -> dict:
        kinds = {kind: _summary(self.latencies[kind], self.statuses[kind], self.errors[kind],
                                elapsed) for kind in sorted(self.statuses)}
        every = [t for times in self.latencies.values() for t in times]
        total = _summary(every, sum(self.statuses.values(), Counter()),
                         sum(self.errors.values(), Counter()), elapsed)
        return {"kinds": kinds, "total": total, "tasks": dict(self.tasks),
                "error_examples": self.examples}


def _percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def _summary(latencies, statuses, errors, elapsed) -> dict:
    ordered = sorted(latencies)
    requests = sum(statuses.values())
    return {"requests": requests, "errors": sum(errors.values()),
            "error_kinds": dict(errors), "statuses": dict(statuses),
            "rps": round(requests / elapsed, 2) if elapsed else 0.0,
            "p50_ms": _percentile(ordered, 0.50), "p95_ms": _percentile(ordered, 0.95),
            "p99_ms": _percentile(ordered, 0.99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None}


def multipart(fields: list[tuple[str, str]],
              files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body (fields, then files as (name, filename, type, bytes))
    and its Content-Type."""
    boundary = f"----bench{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value.encode() + b"\r\n")
    for name, filename, content_type, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def _read_answer(reader) -> tuple[Answer, bool]:
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed before the status line")
    status = int(line.split()[1])
    headers: dict[str, list[str]] = defaultdict(list)
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()].append(value.strip())
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        chunks = []
        while (size := int((await reader.readline()).split(b";")[0], 16)) > 0:
            chunks.append((await reader.readexactly(size + 2))[:-2])
        await reader.readline()
        body = b"".join(chunks)
    else:
        body = await reader.readexactly(int((headers.get("content-length") or ["0"])[-1]))
    close = "close" in ",".join(headers.get("connection", [])).lower()
    return Answer(status, dict(headers), body), close


class Session:
    """One simulated user's keep-alive connection and cookie jar (a browser tab, or an API
    client when it sends a bearer token)."""

    def __init__(self, port: int, recorder: Recorder, timeout: float = 60):
        self.port, self.recorder, self.timeout = port, recorder, timeout
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}  # sent with every request (Authorization)
        self._streams = None

    async def request(self, kind: str, method: str, path: str, *, body: bytes | None = None,
                      headers: dict | None = None, expect=(200,),
                      check: Callable[[Answer], str | None] | None = None) -> Answer | None:
        """Send one request and read its answer; None after a connection error or time-out.
        The answer is an error unless its status is in ``expect`` and ``check`` (if given)
        finds no problem with it."""
        # as a browser sends it: non-ASCII characters of the path and query percent-encoded
        target = quote(path, safe="/?&=%:;,+@!$'()*[]~-._")
        lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in {**self.headers, **(headers or {})}.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        started = time.perf_counter()
        try:
            answer, close = await asyncio.wait_for(self._exchange(raw), self.timeout)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError,
                IndexError, OSError) as exc:
            self.close()
            outcome = "timeout" if isinstance(exc, TimeoutError) else "connection_error"
            self.recorder.record(kind, None, outcome, outcome, f"{method} {path}")
            return None
        elapsed = time.perf_counter() - started
        if close:
            self.close()
        self._keep_cookies(answer)
        problem = None
        if answer.status not in expect:
            problem = f"HTTP {answer.status}"
        elif check is not None:
            problem = check(answer)
        self.recorder.record(kind, elapsed, answer.status, problem, f"{method} {path}")
        return answer

    async def _exchange(self, raw: bytes) -> tuple[Answer, bool]:
        if self._streams is not None and self._streams[0].at_eof():
            self.close()  # the server ended the idle keep-alive connection: open a new one
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._streams
        writer.write(raw)
        await writer.drain()
        return await _read_answer(reader)

    def _keep_cookies(self, answer: Answer) -> None:
        for line in answer.headers.get("set-cookie", []):
            pair, _sep, attributes = line.partition(";")
            name, _eq, value = pair.strip().partition("=")
            expired = "max-age=0" in attributes.lower().replace(" ", "") or \
                "expires=thu, 01 jan 1970" in attributes.lower()
            if expired or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _user(port, scenario, recorder, start_in, deadline, think, rng, stopped) -> None:
    await asyncio.sleep(start_in)
    session = Session(port, recorder)
    kind = getattr(scenario, "kind", type(scenario).__name__)
    try:
        await scenario.start(session)
        while time.perf_counter() < deadline:
            await scenario.task(session)
            recorder.tasks[kind] += 1
            pause = rng.uniform(*think)
            if time.perf_counter() + pause >= deadline:
                break
            await asyncio.sleep(pause)
    except UserStopped:
        stopped.append(type(scenario).__name__)
    finally:
        session.close()


async def _run_users(port, scenarios, duration, think, ramp, seed):
    recorder, stopped = Recorder(), []
    started = time.perf_counter()
    deadline = started + duration
    step = ramp / len(scenarios) if scenarios else 0
    await asyncio.gather(*(
        _user(port, scenario, recorder, i * step, deadline, think,
              random.Random(seed * 1000 + i), stopped)
        for i, scenario in enumerate(scenarios)))
    return recorder, stopped, time.perf_counter() - started


def run_users(port: int, scenarios: list, *, duration: float = 60,
              think: tuple[float, float] = (1.0, 2.0), ramp: float = 10,
              seed: int = 1) -> dict:
    """Run one simulated user per scenario object against the server; the figures by kind
    and overall, the users that had to stop, and this process's own CPU time."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    recorder, stopped, elapsed = _run(
        _run_users(port, scenarios, duration, think, ramp, seed))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**recorder.figures(elapsed), "elapsed_s": round(elapsed, 1),
            "users": len(scenarios), "users_stopped": stopped,
            "loadgen_cpu_s": round(cpu, 2),
            "loadgen_cpu_percent_of_one_core": round(100 * cpu / elapsed, 1)}


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def wait_ready(port: int, path: str = "/login", timeout: float = 180) -> None:
    """Wait until the app answers ``path`` with 200: gunicorn listens before its workers have
    loaded the app, and a measurement must not include their start-up."""
    async def poll():
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            session = Session(port, Recorder(), timeout=timeout)
            answer = await session.request("ready", "GET", path)
            session.close()
            if answer is not None and answer.status == 200:
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"{path} did not answer 200 within {timeout}s")

    _run(poll())
