"""Limits every request meets before any handler runs, and the headers every HTML page carries.

* the body cap (``SUPPLYGRAPH_MAX_BODY_BYTES``) on every route, ``/graphql``
  included: a declared ``Content-Length`` above it is refused at once, and
  a chunked body is counted as it streams and cut off when it passes;
* at most ``MAX_HEADERS`` headers of at most ``MAX_HEADER_BYTES`` in all
  (431 otherwise); a head too large to buffer at all is cut off earlier,
  while it arrives, by the server's protocol (``http_limits.py``);
* on HTML pages a Content-Security-Policy allowing scripts only from the
  service's own files (no inline script, no eval, no other host: GraphiQL
  and the explorer load vendored copies from ``/static/``),
  ``X-Frame-Options: DENY`` and ``nosniff``.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_body

MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
# Inline styles and data: fonts stay allowed: GraphiQL sets style attributes and embeds its fonts, neither runs code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_HTML_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class _BodyTooLarge(Exception):
    pass


class GuardMiddleware:
    """Enforces the body and header limits, and adds security headers to HTML responses."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
            await _reply(send, 431, f"at most {MAX_HEADERS} headers of {MAX_HEADER_BYTES} bytes in all")
            return
        declared = dict(headers).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _reply(
                send, 413, f"request body of {int(declared)} bytes is above the limit of {self.max_body_bytes}"
            )
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    extra = [(b"content-security-policy", CSP.encode()), *_HTML_HEADERS]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, counted, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await _reply(send, 413, f"request body is above the limit of {self.max_body_bytes} bytes")


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps(error_body(message, status)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
