"""A Docker API proxy that tells lies: the engine tests' proof that the claims' checks check.

It sits between the suite (DOCKER_HOST, DOCKER_CLAIMS_NODE2 pointing at it) and an engine, and
passes every request and answer through byte for byte, streams and hijacked connections
(attach, exec) included, except the answers a Lie matches: those are read whole, rewritten,
and sent with a Content-Length. Told no lie, it is transparent: every claim stays green through
it. Told one, the claim that lie targets must turn red: a check the lie gets through is a hole.

HTTP/1.1 only as far as the engine speaks it: keep-alive, Content-Length or chunked bodies,
101 upgrades and close-delimited raw streams (both are pumped both ways until either side
closes). Upstream is a unix socket or a plain TCP address (no TLS, no ssh).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import socketserver
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Optional
from urllib.parse import parse_qs, unquote, urlparse

CHUNK = 1 << 16
MAX_HEAD = 1 << 20
VERSIONED = re.compile(r"^/v\d+\.\d+(?=/)")


@dataclass(frozen=True)
class Request:
    """What the suite asked: method, path without the API version prefix, query, headers."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names

    @classmethod
    def parse(cls, head: bytes) -> Request:
        line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _version = line.split(" ", 2)
        parsed = urlparse(target)
        path = VERSIONED.sub("", unquote(parsed.path))
        return cls(method, target, path, parse_qs(parsed.query), _headers(lines))

    def __str__(self) -> str:
        return f"{self.method} {self.target}"


@dataclass
class Answer:
    """An engine's answer, read whole: status line, headers in order, body (de-chunked)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    def json(self):
        return json.loads(self.body)

    def with_json(self, document, status: Optional[int] = None) -> Answer:
        return self.with_body(json.dumps(document).encode(), status)

    def with_body(self, body: bytes, status: Optional[int] = None) -> Answer:
        return Answer(status or self.status, self.reason if status is None else _REASONS.get(
            status, "Lie"), self.headers, body)

    def encode(self) -> bytes:
        kept = [(key, value) for key, value in self.headers
                if key.lower() not in ("content-length", "transfer-encoding")]
        lines = [f"HTTP/1.1 {self.status} {self.reason}",
                 *(f"{key}: {value}" for key, value in kept),
                 f"Content-Length: {len(self.body)}", "", ""]
        return "\r\n".join(lines).encode("latin-1") + self.body


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict",
            500: "Internal Server Error"}


Rewrite = Callable[[Request, Answer], Optional[Answer]]
"""Given what was asked and what the engine answered, the lie to send (None: the truth)."""


@dataclass
class Lie:
    """One kind of answer falsified: the requests it matches (method and a regular expression
    over the unversioned path, whose named groups the rewrite may read) and how it rewrites
    their answers. `claim` is the claim it must turn red."""

    name: str
    claim: str
    method: str
    path: str
    rewrite: Rewrite
    told: int = 0

    def matches(self, request: Request) -> Optional[re.Match]:
        if request.method != self.method:
            return None
        return re.fullmatch(self.path, request.path)

    def __str__(self) -> str:
        return f"{self.name} ({self.claim})"


def _headers(lines: Iterable[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        if ":" in line:
            key, value = line.split(":", 1)
            found[key.strip().lower()] = value.strip()
    return found


def _read_head(stream: BinaryIO) -> Optional[bytes]:
    """The request or status line and headers, up to the blank line; None at a clean EOF."""
    lines = []
    size = 0
    while True:
        line = stream.readline(MAX_HEAD)
        if not line:
            if lines:
                raise ConnectionError("connection closed inside an HTTP head")
            return None
        size += len(line)
        if size > MAX_HEAD:
            raise ConnectionError("HTTP head too big")
        if not lines and line in (b"\r\n", b"\n"):
            continue  # stray CRLF between messages
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            return b"".join(lines)


def _copy_exactly(source: BinaryIO, sink: Optional[socket.socket], size: int,
                  keep: Optional[list[bytes]] = None) -> None:
    while size > 0:
        data = source.read(min(size, CHUNK))
        if not data:
            raise ConnectionError("connection closed inside a body")
        size -= len(data)
        if sink is not None:
            sink.sendall(data)
        if keep is not None:
            keep.append(data)


def _copy_chunked(source: BinaryIO, sink: Optional[socket.socket],
                  keep: Optional[list[bytes]] = None) -> None:
    """A chunked body, passed on as it comes (framing and all) to `sink`, its data to `keep`."""
    while True:
        line = source.readline(MAX_HEAD)
        if not line:
            raise ConnectionError("connection closed inside a chunked body")
        if sink is not None:
            sink.sendall(line)
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, up to the blank line
                trailer = source.readline(MAX_HEAD)
                if sink is not None:
                    sink.sendall(trailer)
                if trailer in (b"\r\n", b"\n", b""):
                    return
        _copy_exactly(source, sink, size, keep)
        crlf = source.readline(MAX_HEAD)
        if sink is not None:
            sink.sendall(crlf)


def _framing(headers: dict[str, str]) -> tuple[str, int]:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return "chunked", 0
    if "content-length" in headers:
        return "length", int(headers["content-length"])
    return "none", 0


def _pump(source: BinaryIO, sink: socket.socket) -> None:
    """Bytes from `source` to `sink` until `source` ends; then `sink` is told no more come."""
    with contextlib.suppress(OSError, ValueError):
        while True:
            data = source.read1(CHUNK)
            if not data:
                break
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


class _Connection(socketserver.BaseRequestHandler):
    """One client connection, relayed over one upstream connection of its own."""

    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        upstream = self.server.proxy.connect_upstream()
        self.server.proxy.opened(client, upstream)
        from_client = client.makefile("rb")
        from_upstream = upstream.makefile("rb")
        try:
            while self._exchange(client, from_client, upstream, from_upstream):
                pass
        except (OSError, ConnectionError, ValueError):
            pass  # either side went away: so does this connection
        finally:
            for closable in (from_client, from_upstream, upstream):
                with contextlib.suppress(OSError):
                    closable.close()
            self.server.proxy.closed(client, upstream)

    def _exchange(self, client: socket.socket, from_client: BinaryIO, upstream: socket.socket,
                  from_upstream: BinaryIO) -> bool:
        """Relay one request and its answer; False when the connection is done."""
        head = _read_head(from_client)
        if head is None:
            return False
        request = Request.parse(head)
        upstream.sendall(head)
        kind, size = _framing(request.headers)
        if kind == "chunked":
            _copy_chunked(from_client, upstream)
        elif kind == "length":
            _copy_exactly(from_client, upstream, size)
        answer_head = _read_head(from_upstream)
        if answer_head is None:
            return False
        status_line, *lines = answer_head.decode("latin-1").split("\r\n")
        _version, status, *reason = status_line.split(" ", 2)
        headers = _headers(lines)
        kind, size = _framing(headers)
        bodiless = request.method == "HEAD" or status in ("204", "304")
        if status == "101" or (kind == "none" and not bodiless):
            # An upgrade (attach, exec) or a raw stream delimited by the close: both ways, as is.
            client.sendall(answer_head)
            threading.Thread(target=_pump, args=(from_client, upstream), daemon=True).start()
            _pump(from_upstream, client)  # the engine's end ends the connection
            return False
        lie = self.server.proxy.lie_for(request)
        if lie is None or bodiless:
            client.sendall(answer_head)
            if kind == "chunked":
                _copy_chunked(from_upstream, client)
            elif kind == "length":
                _copy_exactly(from_upstream, client, size)
        else:
            body: list[bytes] = []
            if kind == "chunked":
                _copy_chunked(from_upstream, None, body)
            else:
                _copy_exactly(from_upstream, None, size, body)
            header_pairs = [tuple(part.strip() for part in line.split(":", 1))
                            for line in lines if ":" in line]
            truth = Answer(int(status), reason[0] if reason else "", header_pairs,
                           b"".join(body))
            told = self.server.proxy.tell(lie, request, truth)
            client.sendall((told or truth).encode())
        closing = "close" in headers.get("connection", "").lower() or \
            "close" in request.headers.get("connection", "").lower()
        return not closing


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    proxy: LyingProxy


@dataclass
class LyingProxy:
    """A proxy on a unix socket of its own in front of the engine at `upstream`, telling
    `lies`. Use as a context manager; `url` is what DOCKER_HOST takes."""

    upstream: str
    lies: Sequence[Lie] = ()
    told: list[str] = field(default_factory=list)  # "lie: request", in the order told
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        parsed = urlparse(self.upstream)
        if parsed.scheme not in ("unix", "tcp", "http"):
            raise ValueError(f"the lying proxy relays plain unix or tcp engines, not "
                             f"{self.upstream}")
        self._directory = tempfile.TemporaryDirectory(prefix="docker-claims-lies-")
        self.socket_path = Path(self._directory.name) / "engine.sock"
        self._server: Optional[_Server] = None
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def connect_upstream(self) -> socket.socket:
        parsed = urlparse(self.upstream)
        if parsed.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(parsed.path)
            return sock
        return socket.create_connection((parsed.hostname, parsed.port or 2375))

    def opened(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets.extend(sockets)

    def closed(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets = [sock for sock in self._sockets if sock not in sockets]

    def lie_for(self, request: Request) -> Optional[Lie]:
        return next((lie for lie in self.lies if lie.matches(request)), None)

    def tell(self, lie: Lie, request: Request, truth: Answer) -> Optional[Answer]:
        told = lie.rewrite(request, truth)
        if told is not None:
            with self._lock:
                lie.told += 1
                self.told.append(f"{lie.name}: {request}")
        return told

    def start(self) -> LyingProxy:
        self._server = _Server(str(self.socket_path), _Connection)
        self._server.proxy = self
        threading.Thread(target=self._server.serve_forever, args=(0.05,),
                         name=f"lying-proxy {self.url}",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:  # connections still open (hijacked ones) end with the proxy
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.clear()
        self._directory.cleanup()

    def __enter__(self) -> LyingProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def proxies(*pairs: tuple[str, Sequence[Lie]]) -> Iterator[list[LyingProxy]]:
    """Several proxies (an engine and its second node), each with its lies, for one block."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(LyingProxy(upstream, lies)) for upstream, lies in pairs]


def first_engine() -> Optional[str]:
    """The first engine's address, when the proxy can relay it (plain unix or tcp)."""
    url = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if url.startswith("unix://") or (url.startswith("tcp://")
                                     and not os.environ.get("DOCKER_TLS_VERIFY")):
        return url
    return None
