"""uvicorn's HTTP protocol with a cap on the request head, enforced while it arrives.

The parser (httptools) buffers a request line and headers of any size before
the app sees them, so a 100 MB header or 100,000 headers would be read into
memory first and refused only after.  This protocol counts the bytes of a
request head as they come in, and once the head passes ``MAX_HEAD_BYTES``
without ending, answers 431 and closes the connection.  The finer limits
(header count and total header size) are the app's (``guard.py``).
"""

from __future__ import annotations

import json

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
