"""ASGI layers around the routes: refuse oversized bodies unread, and turn crashes into JSON without leaking."""

from __future__ import annotations

import json
import logging
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import BadRequest, BodyTooLarge, IntakeError, IntakeErrorCode

__all__ = ["BodyLimit", "CrashShield"]

log = logging.getLogger("intake")


async def send_error(send: Send, error: IntakeError) -> None:
    body = json.dumps(error.as_json()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers().items()]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``max_bytes``: by ``Content-Length`` before reading a byte, else while reading.

    Bodies within the limit are buffered (at most ``max_bytes``) and handed on unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        if declared:
            try:
                length = int(declared[0])
            except ValueError:
                not_a_number = BadRequest("The Content-Length header is not a number.",
                                          code=IntakeErrorCode.BAD_CONTENT_LENGTH)
                await send_error(send, not_a_number)
                return
            if length > self.max_bytes:
                await send_error(send, BodyTooLarge(self.max_bytes))
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, BodyTooLarge(self.max_bytes))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class CrashShield:
    """Answer an unexpected exception with a JSON 500 and log only its type and stack, never its message.

    Exception messages can quote data (a value that failed to parse); the stack alone is enough to find a bug
    and cannot carry a fingerprint or key into a log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            route = scope.get("route")
            where = getattr(route, "path", "?")
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unexpected %s answering %s %s\n%s", type(exc).__name__, scope.get("method"), where, stack)
            if not started:
                await send_error(send, IntakeError())
