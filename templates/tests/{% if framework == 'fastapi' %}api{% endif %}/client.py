"""AppClient: the tests' HTTP client, with the application running in the test's own thread.

Starlette's TestClient runs the application in a second thread and hands every request
across to it, nine times per request; on a two-core machine that costs two milliseconds of
CPU a request, more than the application itself takes. AppClient sends each request through
httpx's own ASGI transport, on an event loop of this thread: the requests, responses and
lifespan are the same, the suite takes a fraction of the time. The application still runs
its blocking code in worker threads, as under a server.

Use it as TestClient: `with AppClient(app, headers=...) as client: client.get(...)`. It
takes one request at a time; a test that sends from several threads at once uses TestClient.
"""

import asyncio
import logging
from collections.abc import Awaitable
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx2
from starlette.types import ASGIApp, Message

T = TypeVar("T")

# httpx2 logs each request it sends at INFO: the application's own line says the same.
logging.getLogger("httpx2").setLevel(logging.WARNING)


class EventLoop:
    """An event loop of this thread, run for one awaitable at a time."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        # One task lives as long as the loop, and the loop always runs for it: anyio keeps
        # its worker threads for the task a loop runs for, so one set serves every request.
        self._closing = asyncio.Event()
        self._host = self.loop.create_task(self._closing.wait())

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run the loop until `awaitable` is done; its result."""
        task = asyncio.ensure_future(awaitable, loop=self.loop)
        task.add_done_callback(lambda _: self.loop.stop())
        try:
            self.loop.run_until_complete(self._host)
        except RuntimeError:  # "Event loop stopped before Future completed": ours, when done
            if not task.done():
                raise
        return task.result()

    def close(self) -> None:
        self._closing.set()
        self.loop.run_until_complete(self._host)
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()


class AppTransport(httpx2.BaseTransport):
    """Sends each request to the application with httpx's ASGI transport, on `loop`."""

    def __init__(
        self, app: ASGIApp, loop: EventLoop, client: tuple[str, int], raise_app_exceptions: bool
    ) -> None:
        self._loop = loop
        self._asgi = httpx2.ASGITransport(
            app=cast(Any, app), client=client, raise_app_exceptions=raise_app_exceptions
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()  # a body given as an iterator becomes bytes the ASGI side can read

        async def send() -> httpx2.Response:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return httpx2.Response(response.status_code, headers=response.headers, content=content)

        return self._loop.run(send())


class AppClient(httpx2.Client):
    """An HTTP client of `app`, as `starlette.testclient.TestClient` is, in this thread.

    Inside `with`, the application's lifespan has started; it stops at the end. Server
    errors are raised in the test unless `raise_server_exceptions=False`, where they become
    the application's 500 responses.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        headers: dict[str, str] | None = None,
        client: tuple[str, int] = ("testclient", 50000),
        raise_server_exceptions: bool = True,
    ) -> None:
        self._app = app
        self._loop = EventLoop()
        self._lifespan: asyncio.Task[None] | None = None
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        super().__init__(
            base_url="http://testserver",
            headers={"user-agent": "testclient", **(headers or {})},
            transport=AppTransport(app, self._loop, client, raise_server_exceptions),
            follow_redirects=True,
        )

    def __enter__(self) -> Self:
        super().__enter__()
        self._lifespan = self._loop.loop.create_task(self._run_lifespan())
        self._lifespan_step("startup")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            if self._lifespan is not None:
                self._lifespan_step("shutdown")
                self._loop.run(self._lifespan)
        finally:
            self._loop.close()
            super().__exit__(exc_type, exc, traceback)

    async def _run_lifespan(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await self._app(scope, self._to_app.get, self._from_app.put)

    def _lifespan_step(self, step: str) -> None:
        """Send the application `lifespan.<step>`; raise unless it completes."""
        self._to_app.put_nowait({"type": f"lifespan.{step}"})
        answer = self._loop.run(self._from_app.get())
        if answer["type"] != f"lifespan.{step}.complete":
            raise RuntimeError(f"the application's {step} failed: {answer.get('message', '')}")
