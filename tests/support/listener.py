"""A loopback listener that records connections and never answers: proof that nothing was
fetched (a model's ``$ref`` must never reach the network)."""

from __future__ import annotations

import socket
import threading


class Listener:
    """A TCP listener on loopback that records every connection and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)  # kept open, never answered

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        for conn in self.connections:
            conn.close()
        self.sock.close()
