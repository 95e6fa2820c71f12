"""One line per error in the app server's log.

A browser, or anyone who can reach the port, can send the server malformed websocket messages
(not JSON, a message without a header, a binary frame that is not a message). The server closes
such a connection cleanly, but Solara and uvicorn log each failure with one or more full
tracebacks (three messages gave fifteen). :func:`install` makes the server's loggers write one
line per failure instead — what failed and the innermost exception — and is called when the
app module is imported in the server process.
"""

from __future__ import annotations

import logging

__all__ = ["LOGGERS", "OneLine", "install", "summary"]

#: The loggers that report a failed websocket message: uvicorn's (the ASGI application raised)
#: and Solara's server modules.
LOGGERS = (
    "uvicorn.error",
    "solara.server.kernel",
    "solara.server.server",
    "solara.server.fastapi",
)


def summary(exc: BaseException) -> str:
    """``Type: message`` of the innermost exception (the first of a group, the cause of a
    chain)."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        elif exc.__cause__ is not None:
            exc = exc.__cause__
        else:
            break
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class OneLine(logging.Filter):
    """Replace a record's traceback by a one-line summary appended to its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage().rstrip()} ({summary(record.exc_info[1])})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def install() -> None:
    """Put :class:`OneLine` on every logger of :data:`LOGGERS` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLine) for f in logger.filters):
            logger.addFilter(OneLine())
