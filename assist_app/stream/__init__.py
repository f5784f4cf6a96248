"""The client side of the gateway protocol: `StreamClient` (reconnect, resume by seq, de-dup, heartbeat)."""

from assist_app.stream.client import (
    CONNECTED,
    OFFLINE,
    RECONNECTING,
    ConnectionState,
    FatalStreamError,
    RequestError,
    StreamClient,
)

__all__ = ["CONNECTED", "OFFLINE", "RECONNECTING", "ConnectionState", "FatalStreamError", "RequestError",
           "StreamClient"]
