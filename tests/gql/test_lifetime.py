"""GraphQL work stops when its client goes away, and the watch never steals the request body."""

from __future__ import annotations

import asyncio
import time

from starlette.types import Message, Receive

from service.gql.lifetime import while_connected


def _client(messages: list[Message], gone_after: float | None) -> Receive:
    """An ASGI ``receive``: ``messages`` in turn, then a disconnect ``gone_after`` s from now (or never).

    Like a server's, it can be cancelled while waiting and asked again.
    """
    queue = list(messages)
    gone_at = None if gone_after is None else time.monotonic() + gone_after

    async def receive() -> Message:
        if queue:
            await asyncio.sleep(0.01)
            return queue.pop(0)
        if gone_at is None:
            await asyncio.Event().wait()
        await asyncio.sleep(max(0.0, (gone_at or 0) - time.monotonic()))
        return {"type": "http.disconnect"}

    return receive


def test_work_is_cancelled_soon_after_the_client_leaves() -> None:
    stopped = []

    async def run(receive: Receive) -> None:
        await receive()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append(time.monotonic())
            raise

    async def main() -> bool:
        receive = _client([{"type": "http.request", "body": b"{}", "more_body": False}], gone_after=0.2)
        return await while_connected({"method": "POST"}, receive, run)

    started = time.monotonic()
    assert asyncio.run(main()) is True
    assert stopped and stopped[0] - started < 2


def test_a_chunked_body_reaches_the_app_whole_while_watched() -> None:
    chunks = [{"type": "http.request", "body": b"ab", "more_body": True}] * 3
    chunks.append({"type": "http.request", "body": b"c", "more_body": False})
    read: list[bytes] = []

    async def run(receive: Receive) -> None:
        while True:
            message = await receive()
            read.append(message["body"])
            await asyncio.sleep(0.3)  # slower than the watch's polling
            if not message["more_body"]:
                return

    async def main() -> bool:
        return await while_connected({"method": "POST"}, _client(chunks, gone_after=None), run)

    assert asyncio.run(main()) is False
    assert b"".join(read) == b"abababc"


def test_a_message_the_watch_reads_is_handed_back_to_the_app() -> None:
    got: list[Message] = []

    async def run(receive: Receive) -> None:
        await asyncio.sleep(0.6)  # the watch polls first and reads the empty GET body
        got.append(await receive())

    async def main() -> bool:
        receive = _client([{"type": "http.request", "body": b"", "more_body": False}], gone_after=None)
        return await while_connected({"method": "GET"}, receive, run)

    assert asyncio.run(main()) is False
    assert got == [{"type": "http.request", "body": b"", "more_body": False}]
