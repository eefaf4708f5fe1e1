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
"""
import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

PathFactory = Callable[[int], str] | str
BodyFactory = Callable[[int], bytes | None] | None
HeaderFactory = Callable[[int], dict] | dict | None


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
    latencies, statuses, elapsed = asyncio.run(
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
