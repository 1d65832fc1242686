"""uvicorn's HTTP protocol with a cap on the request head, enforced while it arrives, and one write per answer.

The parser (httptools) buffers a request line and headers of any size before
the app sees them, so a 100 MB header or 100,000 headers would be read into
memory first and refused only after.  This protocol counts the bytes of a
request head as they come in, and once the head passes ``MAX_HEAD_BYTES``
without ending, answers 431 and closes the connection.  The finer limits
(header count and total header size) are the app's (``guard.py``).

uvicorn writes a response's head as soon as the app starts the response, and
its body when the app sends it: two system calls and two TCP segments for an
answer that fits in one.  On loopback the sending call also runs the
receiver's side of TCP, so the extra write was a fifth of a SPARQL lookup's
time.  :class:`HeldHead` keeps the head until the first body bytes and writes
both together.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.errors import error_body

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus headers: room for a long GET query string, nowhere near a memory problem."""

_REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s"
)


_JOIN_BELOW = 64 * 1024
"""Bodies smaller than this are joined to the head in one write."""


class HeldHead:
    """A response's transport that holds the head (its first write) until the body's first write."""

    __slots__ = ("_held", "_started", "transport")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self._held: bytes | None = None
        self._started = False

    def write(self, data: bytes) -> None:
        """Hold the response head; write anything after it together with the head."""
        if self._held is not None:
            held, self._held = self._held, None
            if len(data) < _JOIN_BELOW:
                self.transport.write(held + data)
            else:  # a large body is not copied to save one call
                self.transport.write(held)
                self.transport.write(data)
        elif not self._started and not data.startswith(b"HTTP/1.1 100 "):
            self._started = True  # the head: a 100 Continue before it goes out at once
            self._held = data
        else:
            self.transport.write(data)

    def flush(self) -> None:
        """Write a head still held (an answer that ends without body bytes)."""
        if self._held is not None:
            held, self._held = self._held, None
            self.transport.write(held)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that refuses a request head above ``MAX_HEAD_BYTES`` before buffering it all."""

    _in_head = True  # a connection starts with a request head
    _head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # Checked after feeding: one read may end the head and carry body bytes, which do not count.
        if self._in_head and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            text = f"the request line and headers are above the limit of {MAX_HEAD_BYTES} bytes"
            message = json.dumps(error_body(text, 431)).encode()
            self.transport.write(_REFUSAL % (len(message), message))
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
        # A HEAD answer has no body write to carry its head: it goes out as it comes.
        if self.scope["method"] != "HEAD":
            self.cycle.transport = HeldHead(self.transport)  # type: ignore[assignment]  # duck-typed transport

    def on_response_complete(self) -> None:
        # Only an answer with an empty body gets here with its head still held (a 304 writes b"").
        transport = self.cycle.transport if self.cycle is not None else None
        if isinstance(transport, HeldHead):
            transport.flush()
        super().on_response_complete()
