"""Run one ASGI request's work only while its client is there.

Starlette's ``Request.is_disconnected`` reads from ``receive``; doing that
while the app is still reading the body would steal body chunks.  So the
check starts only once the app has read the whole body (or at once for a
request with none), and any message the check reads that is not a
disconnect is handed back to the app on its next ``receive``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from starlette.types import Message, Receive, Scope

POLL_SECONDS = 0.25


class ClientWatch:
    """Wraps ``receive`` for the app and tells whether the client has gone."""

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self._receive = receive
        self._held: list[Message] = []
        self.gone = False
        # No body to read: GET and HEAD requests may be watched from the start.
        self._body_read = scope.get("method") in ("GET", "HEAD")

    async def receive(self) -> Message:
        """What the app calls instead of ``receive``."""
        if self._held:
            return self._held.pop(0)
        message = await self._receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            self._body_read = True
        elif message["type"] == "http.disconnect":
            self.gone = True
        return message

    async def check(self) -> bool:
        """True once the client has disconnected (never reads body chunks meant for the app)."""
        if self.gone or not self._body_read:
            return self.gone
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.001):
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    self.gone = True
                else:
                    self._held.append(message)
        return self.gone


async def while_connected(scope: Scope, receive: Receive, run: Callable[[Receive], Awaitable[None]]) -> bool:
    """Run ``run(receive)``; cancel it as soon as the client disconnects.  True if it was cancelled."""
    watch = ClientWatch(scope, receive)
    task = asyncio.ensure_future(run(watch.receive))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_SECONDS)
            if done:
                task.result()
                return False
            if await watch.check():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return True
    finally:
        if not task.done():  # our own caller was cancelled (the deadline): take the work down with us
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
