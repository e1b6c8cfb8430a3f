"""`streamlit run serve.py`: the app (app.py) as served by `make run`, its pages' caches warmed from the moment the
server starts (pages/_ui.py, `warm_up`), not only from the first visit; and the browser told to load the chart
code while it waits for the first page run (`ChartsEarly`)."""

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware


@asynccontextmanager
async def warm_from_the_start(_app):
    from pages._ui import warm_up

    warm_up()
    yield


def _chart_chunk() -> str | None:
    """The file name of Streamlit's chart code among its static files (PlotlyChart.<hash>.js), if there is one."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


class ChartsEarly:
    """Streamlit's page (index.html) with one script more: when the browser is first idle (waiting for the
    server's first run), it loads and runs the chart code (4.7 MB), which it would otherwise start only when the
    run's first chart arrives; a page with charts settled 0.5 s sooner (the party page, 2 cores). The same file
    by the same address, so the app's own import finds it done. Every other answer passes unchanged, and so does
    the page when this Streamlit has no such file."""

    def __init__(self, app) -> None:
        self.app = app
        chunk = _chart_chunk()
        self.script = (
            None
            if chunk is None
            else (
                '<script type="module">requestIdleCallback(() => '
                f'import("./static/js/{chunk}").catch(() => null));</script>'
            ).encode()
        )

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        page_address = "/_stcore/" not in path and "." not in path.rsplit("/", 1)[-1]
        if self.script is None or scope["type"] != "http" or scope.get("method") != "GET" or not page_address:
            await self.app(scope, receive, send)
            return
        # The page itself uncompressed (8 kB), so that the script can go in.
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        held: dict = {}
        body: list[bytes] = []

        async def send_page(message) -> None:
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                    held["start"] = message  # the page: held until its body is complete
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = b"".join(body).replace(b"</head>", self.script + b"</head>", 1)
                start = held.pop("start")
                start["headers"] = [
                    (k, str(len(page)).encode() if k.lower() == b"content-length" else v) for k, v in start["headers"]
                ]
                await send(start)
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, send_page)


app = st.App("app.py", lifespan=warm_from_the_start, middleware=[Middleware(ChartsEarly)])
