"""Rate limits per client address: a fixed-window counter in a shared store.

The counter lives where every worker and host sees it (DESIGN §11: nothing relies on process
memory): in Redis when ``RATE_LIMIT_STORAGE_URL`` is set — one round trip that leaves the
database alone, the setting for a busy portal — and otherwise in the database, as one upsert
committed at once. Either way a request that later fails or is refused still counts: call
:func:`hit` at the start of a request, before any write. Limits come from ``RATE_LIMITS`` in
config.py.
"""
import logging
import threading
import time

from flask import current_app, request
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from enforcement.extensions import db
from enforcement.reports.models import RateWindow

log = logging.getLogger(__name__)

#: POST endpoints outside this package that are limited, by endpoint name
ENDPOINT_LIMITS = {"auth.login": "login", "auth.totp_login": "login", "api.token": "login"}


class RateLimited(Exception):
    def __init__(self, action: str, retry_after: int):
        super().__init__(action)
        self.action = action
        self.retry_after = retry_after


def client_address() -> str:
    # behind a proxy, configure werkzeug's ProxyFix so that remote_addr is the client's
    return request.remote_addr or "-"


def hit(action: str, key: str | None = None, *, now: float | None = None) -> None:
    """Count one request of ``action`` by ``key`` (the client address by default); raise
    RateLimited when the window's limit is exceeded."""
    limit, window = current_app.config["RATE_LIMITS"][action]
    now = time.time() if now is None else now
    start = int(now // window * window)
    bucket = f"{action}:{key or client_address()}"[:160]
    url = current_app.config.get("RATE_LIMIT_STORAGE_URL")
    hits = _redis_hit(url, bucket, start, window) if url else None
    if hits is None:  # no Redis configured, or it failed: the database counts
        hits = _database_hit(bucket, start)
    if hits > limit:
        raise RateLimited(action, start + window - int(now))


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def _redis(url: str):
    """A client per process and URL: a connection pool, never a store of counts. Made under
    a lock: a second client made by a concurrent first request would be collected while its
    pipeline runs, and a collected client disconnects its pool (redis-py #3669): "I/O
    operation on closed file" under load."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2,
                                                          socket_connect_timeout=2)
    return client


def _redis_hit(url: str, bucket: str, start: int, window: int) -> int | None:
    """INCR on a key per bucket and window that expires with the window (one round trip);
    None when Redis fails — a fault of the counter store must neither fail the request nor
    lift the limit, so the caller counts in the database instead."""
    key = f"enforcement:rate:{bucket}:{start}"
    try:
        pipe = _redis(url).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 5)
        hits, _expire = pipe.execute()
    except Exception as exc:  # noqa: BLE001 — any client or connection fault
        log.warning("rate-limit counter in Redis failed (%s: %s); counting in the database",
                    type(exc).__name__, exc)
        return None
    return int(hits)


def _database_hit(bucket: str, start: int) -> int:
    session = db.session
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    stmt = insert(RateWindow).values(bucket=bucket, window_start=start, hits=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateWindow.bucket, RateWindow.window_start],
        set_={"hits": RateWindow.hits + 1}).returning(RateWindow.hits)
    # the session's own connection: on SQLite a second connection would wait for the write
    # lock that the session's transaction (e.g. loading the logged-in user) already holds
    hits = session.execute(stmt).scalar_one()
    if hits == 1:  # a new window: forget this bucket's older ones
        session.execute(delete(RateWindow).where(RateWindow.bucket == bucket,
                                                 RateWindow.window_start < start))
    session.commit()
    return hits


def limit_other_endpoints() -> None:
    """before_app_request: login and token requests count against the ``login`` limit."""
    action = ENDPOINT_LIMITS.get(request.endpoint or "")
    if action and request.method == "POST":
        hit(action)
