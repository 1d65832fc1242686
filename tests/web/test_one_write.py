"""With the response head held for the body's write, answers still arrive whole: bodies, HEAD, 304, 100 Continue."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlencode, urlsplit

from tests.web.conftest import Served

LOOKUP = "/sparql?" + urlencode({"query": "SELECT ?o WHERE { <https://w3id.org/supplygraph/id/country/CN> ?p ?o }"})


def _connect(served: Served) -> socket.socket:
    parts = urlsplit(served.url)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10)


def _first_read(sock: socket.socket, request: bytes) -> bytes:
    """The bytes of the first ``recv`` after ``request``, once the server has surely written everything."""
    sock.sendall(request)
    time.sleep(0.3)  # any second segment of the answer would be here by now
    return sock.recv(1 << 20)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    return len(body) == int(fields[b"content-length"])


def test_answers_arrive_whole(served: Served) -> None:
    with _connect(served) as sock:
        for path in ("/health", LOOKUP, "/nowhere"):
            data = _first_read(sock, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert data.startswith(b"HTTP/1.1 ")
            assert _complete(data), data[:200]


def test_head_and_not_modified_still_answer(served: Served) -> None:
    with _connect(served) as sock:
        head = _first_read(sock, b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")
        first = _first_read(sock, f"GET {LOOKUP} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        tag = next(line.split(b": ", 1)[1] for line in first.split(b"\r\n") if line.lower().startswith(b"etag:"))
        again = f"GET {LOOKUP} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {tag.decode()}\r\n\r\n".encode()
        unchanged = _first_read(sock, again)
        assert unchanged.startswith(b"HTTP/1.1 304") and unchanged.endswith(b"\r\n\r\n")


def test_expect_continue_gets_its_interim_answer_first(served: Served) -> None:
    body = b'{"query": "{ __typename }"}'
    with _connect(served) as sock:
        head = (
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = _first_read(sock, head.encode())
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        answer = _first_read(sock, body)
        assert answer.startswith(b"HTTP/1.1 200") and _complete(answer)
        assert b'"__typename"' in answer
