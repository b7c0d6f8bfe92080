"""A loopback TCP proxy to PostgreSQL that can go silent: connections stay open, nothing moves."""

from __future__ import annotations

import contextlib
import socket
import threading


class SilentProxy:
    """A TCP forwarder to PostgreSQL that can go silent and speak again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.silent = False
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
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

    def close(self) -> None:
        self.sock.close()
        for s in self.held:
            with contextlib.suppress(OSError):
                s.close()
