"""Structured logging for the gateway: one line per event (``event key=value …`` or JSON), personal data
masked by `assist_app.privacy.MaskingFilter` on every handler."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from assist_app.privacy import MaskingFilter

log = logging.getLogger("assist.gateway")
_MASK = MaskingFilter()
log.addFilter(_MASK)  # records emitted through this logger are masked whatever the handler


def emit(level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with structured ``fields`` (kept on the record for the JSON formatter)."""
    if not log.isEnabledFor(level):
        return
    text = event + "".join(f" {k}={_short(v)}" for k, v in fields.items())
    log.log(level, text, extra={"fields": {"event": event, **fields}})


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 120 else s[:117] + "..."


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                               "logger": record.name}
        f = getattr(record, "fields", None)
        if isinstance(f, dict):
            out.update(f)
        else:
            out["msg"] = record.getMessage()
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO", fmt: str = "text", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("assist")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # websockets' own per-connection INFO lines duplicate ours
    for name in ("assist.gateway.ws", "assist.stream.ws"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
