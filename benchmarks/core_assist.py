#!/usr/bin/env python3
"""Time `assist()` per customer message over the simulator's scripted chats on the demo store (labels given).

Usage: core_assist.py [--rounds 3]. Prints p50/p99/max in ms. The sidebar's budget for message → painted
suggestions is 50 ms p99, so the engine should stay well under 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assist_app.core import ConversationState, Turn, assist  # noqa: E402
from assist_app.nlp.types import Prediction  # noqa: E402
from assist_app.sim import Simulator, load_scripts  # noqa: E402
from assist_app.store import Store  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    now = datetime.now(timezone(timedelta(hours=8)))
    with tempfile.TemporaryDirectory() as d:
        store = Store.demo(Path(d) / "demo.db", now=now)
        scripts = load_scripts()
        events = [e for e in Simulator(store, scripts=scripts, now=now).plan(len(scripts)) if e.kind == "message"]
        contexts = {e.customer_id: store.customer_context(e.customer_id, now) for e in events}
        times: list[float] = []
        for _ in range(a.rounds):
            states: dict[str, ConversationState] = {}
            for e in events:
                st = states.setdefault(e.conversation_id, ConversationState(e.conversation_id, e.customer_id))
                t = Turn(e.role, e.text, now, e.message_id)
                if e.role == "agent":
                    st.add_agent(t)
                    continue
                st.add_customer(t, Prediction(e.intent, 0.9, e.emotion, 0.9, {e.intent: 0.9}, {e.emotion: 0.9}))
                t0 = time.perf_counter()
                assist(st, contexts[e.customer_id], now)
                times.append((time.perf_counter() - t0) * 1000)
        store.close()
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    print(f"assist() over {len(times)} customer messages: p50={statistics.median(times):.2f} ms "
          f"p99={p99:.2f} ms max={times[-1]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
