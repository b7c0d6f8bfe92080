"""A client-side deadline on every PostgreSQL call, enforced by one watchdog thread per process.

A database that stops answering without closing the connection (a hung server, a loopback
proxy, a firewall dropping packets) leaves libpq blocked in a read; TCP keepalives cannot
help when something still ACKs. Signals would work in the main thread only, and gunicorn
may run threads. So each call (statement, fetch of a server-side cursor, commit, rollback)
registers a deadline in a dict keyed by its thread (arm/disarm: a dict insert and a pop),
and a daemon thread, started lazily in each process, shuts down the socket of a call that
overruns it. The blocked libpq call then fails at once with an OperationalError ("server
closed the connection unexpectedly") that SQLAlchemy treats as a disconnect.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import event

log = logging.getLogger(__name__)

_now = time.monotonic
_ident = threading.get_ident
_NEVER = float("-inf")


class Trouble:
    """When one engine's database last failed to answer: a call cut, or a failed connect."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = _NEVER

    def note(self) -> None:
        """The database failed to answer just now."""
        self.at = _now()

    def recent(self, window: float) -> bool:
        """Whether it failed to answer within the last ``window`` seconds."""
        return _now() - self.at < window


class Watchdog:
    """Cut the connection of any armed call whose deadline has passed."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self._armed: dict[int, tuple[float, Any, Trouble]] = {}
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.cuts = 0

    def arm(self, conn: Any, seconds: float, trouble: Trouble) -> None:
        """Give the calling thread's next call on ``conn`` ``seconds`` to finish."""
        if self._thread is None:
            self._start()
        self._armed[_ident()] = (_now() + seconds, conn, trouble)

    def disarm(self) -> None:
        """The calling thread's call has finished."""
        self._armed.pop(_ident(), None)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="db-deadline", daemon=True)
                thread.start()
                self._thread = thread

    def _forget(self) -> None:
        # In a forked child: the parent's calls and thread are not ours (cutting an inherited
        # socket would cut the parent's connection too); start afresh on the first arm.
        self._armed = {}
        self._thread = None
        self._lock = threading.Lock()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            if not self._armed:
                continue
            now = _now()
            for key, entry in self._armed.copy().items():
                # Only if still the same call: it may have finished since the copy.
                if entry[0] <= now and self._armed.get(key) is entry:
                    self._armed.pop(key, None)
                    self._cut(entry[1], entry[2])

    def _cut(self, conn: Any, trouble: Trouble) -> None:
        try:
            fd = conn.fileno()
            dup = socket.socket(fileno=os.dup(fd))
        except Exception:  # already closed or broken: nothing left to unblock
            return
        # Before the blocked call wakes up: what it does next (a ping, a reconnect, the thin
        # path's fallback) already knows the database is silent.
        self.cuts += 1
        trouble.note()
        try:
            # Shutdown acts on the socket itself (shared with libpq's descriptor), so the
            # blocked read returns at once; closing only the duplicate leaves libpq's fd.
            dup.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            dup.close()
        log.error("a database call overran its deadline; its connection was cut")


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG._forget)
# Each guarded engine's trouble, by its dialect (one per engine).
_TROUBLES: weakref.WeakKeyDictionary[Any, Trouble] = weakref.WeakKeyDictionary()
# Per thread: the engine whose connection attempt this request gave up on, and when.
_gave_up = threading.local()
_GAVE_UP_FOR = 1.0


@contextmanager
def guarded(conn: Any, seconds: float, trouble: Trouble | None) -> Iterator[None]:
    """Run the block's database call under the deadline (no-op without one)."""
    if not seconds or trouble is None:
        yield
        return
    WATCHDOG.arm(conn, seconds, trouble)
    try:
        yield
    finally:
        WATCHDOG.disarm()


@contextmanager
def transaction(conn: Any) -> Iterator[None]:
    """``conn.transaction()`` with its BEGIN and its COMMIT/ROLLBACK each under the deadline."""
    factory = conn.cursor_factory
    seconds, trouble = getattr(factory, "deadline", 0), getattr(factory, "trouble", None)
    tx = conn.transaction()
    with guarded(conn, seconds, trouble):
        tx.__enter__()
    try:
        yield
    except BaseException as exc:
        with guarded(conn, seconds, trouble):
            if not tx.__exit__(type(exc), exc, exc.__traceback__):
                raise
    else:
        with guarded(conn, seconds, trouble):
            tx.__exit__(None, None, None)


def cursor_classes(seconds: float, trouble: Trouble) -> tuple[type[Any], type[Any]]:
    """psycopg cursor classes (client-side, server-side) whose calls run under the deadline."""
    arm, disarm = WATCHDOG.arm, WATCHDOG.disarm

    class Cursor(psycopg.Cursor):
        """A cursor whose execute waits at most ``deadline`` seconds."""

        __slots__ = ()
        deadline = seconds

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            arm(self._conn, seconds, trouble)
            try:
                return super().execute(*args, **kwargs)
            finally:
                disarm()

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            arm(self._conn, seconds, trouble)
            try:
                return super().executemany(*args, **kwargs)
            finally:
                disarm()

    class ServerCursor(psycopg.ServerCursor):
        """A server-side cursor whose every round trip waits at most ``deadline`` seconds."""

        __slots__ = ()
        deadline = seconds

        def _guard(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            arm(self._conn, seconds, trouble)
            try:
                return call(*args, **kwargs)
            finally:
                disarm()

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            return self._guard(super().execute, *args, **kwargs)

        def fetchone(self) -> Any:
            return self._guard(super().fetchone)

        def fetchmany(self, size: int = 0) -> Any:
            return self._guard(super().fetchmany, size)

        def fetchall(self) -> Any:
            return self._guard(super().fetchall)

        def scroll(self, value: int, mode: str = "relative") -> None:
            self._guard(super().scroll, value, mode)

        def close(self) -> None:
            self._guard(super().close)

        def __iter__(self) -> Any:
            while rows := self.fetchmany(self.itersize):
                yield from rows

    Cursor.trouble = ServerCursor.trouble = trouble  # type: ignore[attr-defined]
    return Cursor, ServerCursor


def trouble_of(engine: Any) -> Trouble | None:
    """The trouble record of an engine ``guard_engine`` guarded (None otherwise)."""
    return _TROUBLES.get(engine.dialect)


def gave_up(engine: Any) -> None:
    """This thread's request could not connect to ``engine``: its next attempt fails at once.

    A request that the thin path hands on to Flask would otherwise wait for a connection
    twice in a row. The mark is used by the next attempt, or lapses within a second.
    """
    _gave_up.dialect, _gave_up.at = engine.dialect, _now()


def guard_engine(engine: Any, seconds: float) -> None:
    """Put every call of a PostgreSQL engine under the deadline.

    Statements, pre-pings and server-side fetches go through the cursor classes set on
    each new connection; commit and rollback through the dialect. A pre-ping right after a
    call overran or a connect failed would only wait out the deadline again: it reports the
    connection dead instead, so the pool reconnects (bounded by connect_timeout).
    """
    trouble = _TROUBLES[engine.dialect] = Trouble()
    classes = cursor_classes(seconds, trouble)
    dialect = engine.dialect

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.cursor_factory, dbapi_conn.server_cursor_factory = classes

    event.listen(engine, "connect", on_connect)

    def around(call: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def guarded_call(dbapi_conn: Any) -> Any:
            WATCHDOG.arm(dbapi_conn, seconds, trouble)
            try:
                return call(dbapi_conn)
            finally:
                WATCHDOG.disarm()

        return guarded_call

    dialect.do_commit = around(dialect.do_commit)
    dialect.do_rollback = around(dialect.do_rollback)
    ping = dialect.do_ping

    def do_ping(dbapi_conn: Any) -> bool:
        return False if trouble.recent(seconds) else bool(ping(dbapi_conn))

    dialect.do_ping = do_ping
    connect = dialect.connect

    def connect_once(*args: Any, **kwargs: Any) -> Any:
        if getattr(_gave_up, "dialect", None) is dialect:
            _gave_up.dialect = None
            if _now() - _gave_up.at < _GAVE_UP_FOR:
                raise psycopg.errors.ConnectionTimeout(
                    "connection timeout expired (this request's first attempt failed)"
                )
        try:
            return connect(*args, **kwargs)
        except psycopg.OperationalError:
            trouble.note()
            raise

    dialect.connect = connect_once
