"""A loopback TCP proxy to PostgreSQL that fails the two ways a database goes away.

``cut()``: every connection is reset and new ones are refused (a database that is down);
``silent = True``: connections stay open and new ones are accepted, but nothing moves
(a database that stops answering, no RST). ``restore()`` / ``silent = False`` end either.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class DatabaseProxy:
    """A TCP forwarder to PostgreSQL that can be cut, go silent, and work again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.silent = False
        self.up = True
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not self.up:  # cut: refused at once
                client.close()
                continue
            self.held.append(client)
            if self.silent:
                continue  # accepted, then nothing: no byte, no close
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            self.held.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                if not self.silent:  # silent: read (so TCP ACKs) and drop
                    b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        """Reset every connection and refuse new ones until ``restore``."""
        self.up = False
        for s in self.held:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.held = []

    def restore(self) -> None:
        """Accept and forward connections again."""
        self.up = True

    def close(self) -> None:
        self.sock.close()
        for s in self.held:
            with contextlib.suppress(OSError):
                s.close()
