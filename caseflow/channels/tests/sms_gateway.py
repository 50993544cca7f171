"""A real HTTP server standing in for an SMS provider: stdlib http.server in a thread on a
loopback port. It records each request and answers from a script of (status, body)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Gateway:
    url: str
    requests: list[Received] = field(default_factory=list)
    # answers, in order; the last one repeats. A body that is a dict is sent as JSON.
    answers: list[tuple[int, Any]] = field(default_factory=lambda: [(200, {"id": "msg-1"})])
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, Any]:
        with self._lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1_000_000))
            with gateway._lock:
                gateway.requests.append(
                    Received(self.command, self.path, dict(self.headers.items()), body)
                )
            status, payload = gateway.answer()
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def sms_gateway() -> Iterator[Gateway]:
    """A provider on 127.0.0.1:<free port>; `gateway.url` is its /send endpoint."""
    gateway = Gateway(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
