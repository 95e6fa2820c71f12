"""Malformed websocket messages to the app server: one log line each, never a traceback
(issue 22)."""

import asyncio
import logging
import uuid

import pytest
from statecraft.app.serverlog import OneLine, summary

from tests.browser import serve_app
from tests.processes import TIMEOUT_S

MALFORMED = ("not json", "{}", '{"header": 5}', b"\x00\x01garbage")


def test_a_logged_exception_becomes_one_line_naming_the_innermost_error():
    try:
        try:
            raise KeyError("header")
        except KeyError as err:
            raise ExceptionGroup("unhandled errors in a TaskGroup", [err]) from None
    except ExceptionGroup as group:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n",
            None, (type(group), group, group.__traceback__),
        )  # fmt: skip
    assert OneLine().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == "Exception in ASGI application (KeyError: 'header')"
    assert summary(ValueError("a\nb")) == "ValueError: a"


async def _send_all(port: int) -> list[str]:
    import websockets

    closed = []
    for payload in MALFORMED:
        url = (
            f"ws://127.0.0.1:{port}/jupyter/api/kernels/{uuid.uuid4()}/channels"
            f"?session_id={uuid.uuid4()}"
        )
        async with websockets.connect(url) as ws:
            await ws.send(payload)
            with pytest.raises(websockets.ConnectionClosed):
                # the server closes the connection; the limit only catches a real hang
                await asyncio.wait_for(ws.recv(), TIMEOUT_S)
            closed.append(type(payload).__name__)
    return closed


def test_malformed_websocket_messages_log_one_line_each_and_the_server_lives(tmp_path):
    log = tmp_path / "server.log"
    with serve_app(log=log) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert len(asyncio.run(_send_all(port))) == len(MALFORMED)
        # the server still serves pages after them
        import urllib.request

        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as page:
            assert page.status == 200
    text = log.read_text()
    assert "Traceback" not in text
    assert text.count("Exception in ASGI application (") >= 3
