"""The lying proxy itself, against a small fake engine (no Docker needed): what it passes
through byte for byte, and what a lie rewrites."""

from __future__ import annotations

import json
import socket
import socketserver
import threading

import pytest
from lying_proxy import Answer, Lie, LyingProxy, Request


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers a few paths the way an engine frames them: a JSON body with a length, a chunked
    stream, an upgrade to a raw two-way stream (an echo, as attach to `cat`)."""

    daemon_threads = True


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            headers = {}
            while (header := self.rfile.readline()) not in (b"\r\n", b""):
                key, value = header.decode().split(":", 1)
                headers[key.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get("content-length", 0)))
            if target.endswith("/json"):
                data = json.dumps({"asked": target, "body": body.decode()}).encode()
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
            elif target.endswith("/stream"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for part in (b'{"n": 1}\n', b'{"n": 2}\n'):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            if headers.get("connection") == "close":
                return
            if target.endswith("/attach"):
                self.wfile.write(b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
                                 b"Upgrade: tcp\r\n\r\n")
                self.wfile.flush()
                while data := self.request.recv(1024):
                    self.request.sendall(data.upper())
                return


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "engine.sock"
    server = FakeEngine(str(path), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"unix://{path}"
    server.shutdown()
    server.server_close()


def raw(url: str, request: bytes, upgrade: bytes = b"") -> bytes:
    """All a fresh connection receives for one request (made to close the connection after
    its answer); after an upgrade, `upgrade` is sent first, and the sending side shut."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(url.removeprefix("unix://"))
    with sock:
        sock.sendall(request)
        received = b""
        if upgrade:
            while b"\r\n\r\n" not in received:
                received += sock.recv(4096)
            sock.sendall(upgrade)
            sock.shutdown(socket.SHUT_WR)
        while data := sock.recv(4096):
            received += data
    return received


CLOSE = b"Host: x\r\nConnection: close\r\n\r\n"


def test_answers_pass_through_byte_for_byte(engine):
    with LyingProxy(engine) as proxy:
        for request in (b"GET /v1.41/images/app:1/json HTTP/1.1\r\n" + CLOSE,
                        b"GET /v1.41/images/load/stream HTTP/1.1\r\n" + CLOSE):
            assert raw(proxy.url, request) == raw(engine, request)


def test_an_upgraded_connection_is_relayed_both_ways(engine):
    request = b"POST /v1.41/containers/c/attach HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\n\r\n"
    with LyingProxy(engine) as proxy:
        answered = raw(proxy.url, request, upgrade=b"hello through the proxy")
    assert answered.startswith(b"HTTP/1.1 101")
    assert answered.endswith(b"HELLO THROUGH THE PROXY")


def test_requests_on_one_connection_keep_their_bodies(engine):
    """Two requests on one kept-alive connection, one with a body: each answer is its own."""
    first = (b"POST /v1.41/images/a/json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
             b"hello")
    second = b"GET /v1.41/images/b/json HTTP/1.1\r\nHost: x\r\n\r\n"
    with LyingProxy(engine) as proxy:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(proxy.socket_path.as_posix())
        answers = []
        with sock, sock.makefile("rb") as stream:
            for request in (first, second):
                sock.sendall(request)
                length = 0
                while (line := stream.readline()) != b"\r\n":
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                answers.append(json.loads(stream.read(length)))
    assert answers == [{"asked": "/v1.41/images/a/json", "body": "hello"},
                       {"asked": "/v1.41/images/b/json", "body": ""}]


def test_a_lie_rewrites_only_the_answers_it_matches(engine):
    def rewrite(request: Request, truth: Answer):
        document = truth.json()
        return truth.with_json({**document, "asked": "a lie"})

    lie = Lie("renames what was asked", "C00", "GET", r"/images/(?P<name>.+)/json", rewrite)
    request = b"GET /v1.41/images/app:1/json HTTP/1.1\r\n" + CLOSE
    other = b"GET /v1.41/containers/c/json HTTP/1.1\r\n" + CLOSE
    with LyingProxy(engine, [lie]) as proxy:
        told = raw(proxy.url, request)
        untold = raw(proxy.url, other)
    head, body = told.split(b"\r\n\r\n", 1)
    assert json.loads(body)["asked"] == "a lie" and b"Content-Length: %d" % len(body) in head
    assert untold == raw(engine, other)
    assert lie.told == 1
    assert proxy.told == ["renames what was asked: GET /v1.41/images/app:1/json"]


def test_the_proxy_refuses_what_it_cannot_relay():
    with pytest.raises(ValueError, match="plain unix or tcp"):
        LyingProxy("ssh://user@host")
