"""10,000 malformed / fuzzed frames (hypothesis) at a real gateway: every one is answered, the fuzzing
session stays usable, and other clients keep being served."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from assist_app import protocol as p
from assist_app.config import demo_config
from assist_app.stream.testing import GatewayThread

BATCH = 100
EXAMPLES = 100          # 100 batches x 100 frames = 10,000 frames

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=10)
_fields = st.sampled_from(["token", "conversation_id", "message_id", "text", "role", "last_seq", "ticket",
                           "agent_id", "to_agent_id", "customer_id", "nick", "level", "context", "ts", "id"])
_event_like = st.builds(
    lambda v, t, body: json.dumps({"v": v, "type": t, **body}, allow_nan=True),
    st.sampled_from([1, 1, 1, 2, 0, "1", None, True]),
    st.sampled_from(sorted(p.EVENT_TYPES) + ["", "HELLO", "message ", "reply.sned", "x" * 300]),
    st.dictionaries(_fields, _json | st.sampled_from(["demo-a1", "c1", "a2", "customer"]), max_size=6))


def _frame() -> st.SearchStrategy[tuple[str, bytes | str]]:
    return st.one_of(
        _event_like.map(lambda s: ("text", s)),
        st.text(max_size=200).map(lambda s: ("text", s)),
        st.binary(max_size=200).map(lambda b: ("binary", b)),
        st.binary(min_size=1, max_size=50).map(lambda b: ("badutf8", b"\xff" + b)),  # never valid UTF-8
        _json.map(lambda v: ("text", json.dumps(v, allow_nan=True))),
        st.integers(100, 5000).map(lambda n: ("text", "[" * n + "]" * n)),                # deep nesting
        st.just(("text", '{"v":1,"type":"ping","pad":"' + "长" * 30000 + '"}')),          # > 64 KiB
    )


@pytest.fixture(scope="module")
def gateway():
    with GatewayThread(demo_config(stats_interval_s=0, heartbeat_s=60)) as gt:
        yield gt


class FuzzLink:
    """A fuzzing connection, either anonymous or authenticated as agent a3 (so handlers run too).
    An anonymous one is legitimately closed (1008) by a hello with a wrong token or the hello timeout;
    it is then re-opened."""

    def __init__(self, url: str, token: str | None):
        self.url, self.token = url, token
        self.reopened = 0
        self._open()

    def _open(self) -> None:
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(self.url, max_size=None))
        if self.token:
            self.ws.send(p.encode(p.Hello(token=self.token)))
            assert isinstance(p.decode(self.ws.recv(timeout=5)), p.Welcome)

    def close(self) -> None:
        self._stack.close()

    def _closed(self, exc: ConnectionClosed) -> None:
        assert self.token is None, f"an authenticated session was dropped: {exc}"
        assert exc.rcvd is not None and exc.rcvd.code == 1008, exc
        self.close()
        self._open()
        self.reopened += 1

    def send(self, kind: str, data: bytes | str) -> None:
        try:
            self.ws.send(data, text=True) if kind == "badutf8" else self.ws.send(data)
        except ConnectionClosed as exc:
            self._closed(exc)

    def ping(self, ref: str) -> list[p.Event]:
        try:
            return _roundtrip_ping(self.ws, ref)
        except ConnectionClosed as exc:
            self._closed(exc)
            return _roundtrip_ping(self.ws, ref)


@pytest.fixture(scope="module")
def links(gateway):
    ls = [FuzzLink(gateway.url, None), FuzzLink(gateway.url, "demo-a3")]
    yield ls
    for link in ls:
        link.close()


_sent = {"frames": 0}


def _roundtrip_ping(ws, ref: str) -> list[p.Event]:
    """Send a ping and read until its pong; everything received must be a valid event."""
    ws.send(p.encode(p.Ping(ts=1.0, id=ref)))
    got = []
    while True:
        ev = p.decode(ws.recv(timeout=10), max_bytes=None)
        got.append(ev)
        if isinstance(ev, p.Pong) and ev.id == ref:
            return got
        # before hello only errors come back; after a lucky valid hello, acks/welcome/errors
        assert isinstance(ev, (p.Error, p.Welcome, p.Ack, p.Snapshot, p.Pong)) or p.is_stream_event(ev), ev


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(frames=st.lists(_frame(), min_size=BATCH, max_size=BATCH))
def test_fuzzed_frames_get_errors_and_the_session_survives(gateway, links, frames):
    fuzz_ws = links[_sent["frames"] // BATCH % 2]
    for kind, data in frames:
        fuzz_ws.send(kind, data)
    _sent["frames"] += len(frames)
    got = fuzz_ws.ping(f"probe-{_sent['frames']}")
    assert got[-1].type == "pong"


def test_after_10000_frames_the_gateway_still_serves_everyone(gateway, links):
    assert _sent["frames"] >= EXAMPLES * BATCH
    gw = gateway.gateway
    assert gw.counters.frames_in >= EXAMPLES * BATCH
    assert gw.counters.errors >= EXAMPLES * BATCH * 0.9
    for code in (p.E_BAD_JSON, p.E_BAD_UTF8, p.E_TOO_LARGE, p.E_BAD_VERSION, p.E_UNKNOWN_TYPE):
        assert gw.counters.errors_by_code.get(code, 0) > 0, code
    # the fuzzing session itself still works
    for link in links:
        link.ping("final")
    assert links[1].reopened == 0
    # and a normal agent + source are served end to end
    received: list[p.Event] = []
    with connect(gateway.url) as agent, connect(gateway.url) as src:
        agent.send(p.encode(p.Hello(token="demo-a3")))
        agent.recv(timeout=5)
        agent.send(p.encode(p.Subscribe(last_seq=None)))
        agent.recv(timeout=5)
        agent.recv(timeout=5)
        src.send(p.encode(p.Hello(token="demo-source")))
        src.recv(timeout=5)
        src.send(p.encode(p.ConversationOpened(conversation_id="after-fuzz", customer_id="C1", nick="n",
                                               agent_id="a3")))
        src.send(p.encode(p.Message(conversation_id="after-fuzz", message_id="af-1", role="customer",
                                    text="还在吗")))
        while not any(isinstance(e, p.Message) for e in received):
            received.append(p.decode(agent.recv(timeout=5), max_bytes=None))
    assert [e.message_id for e in received if isinstance(e, p.Message)] == ["af-1"]
