"""Prints how long the demo store takes to build and to answer the gateway's queries.

    .venv/bin/python benchmarks/store_demo.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from assist_app.sim import Simulator
from assist_app.store import SHOP_TZ, Store
from assist_app.store.generator import generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    now = datetime(2026, 11, 26, 10, 0, tzinfo=SHOP_TZ)
    gen, build, ctx, plan, reanchor = [], [], [], [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        generate(seed=7, now=now)
        gen.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "demo.db"
            t = time.perf_counter()
            store = Store.demo(path, seed=7, now=now)
            build.append(time.perf_counter() - t)
            ids = [c.customer_id for c in store.customers()]
            t = time.perf_counter()
            for cid in ids:
                store.customer_context(cid, now)
            ctx.append((time.perf_counter() - t) / len(ids))
            t = time.perf_counter()
            Simulator(store, seed=7).plan(100)
            plan.append(time.perf_counter() - t)
            store.close()
            t = time.perf_counter()
            Store.demo(path, now=now.replace(day=28)).close()
            reanchor.append(time.perf_counter() - t)
    with Store.demo(":memory:", seed=7, now=now) as s:
        counts = {t: s.count(t) for t in ("customers", "orders", "order_items", "logistics_events", "promotions",
                                          "knowledge")}
    print("counts:", counts)
    print(f"generate():            {statistics.median(gen) * 1000:7.1f} ms (median of {args.repeat})")
    print(f"Store.demo() on disk:  {statistics.median(build) * 1000:7.1f} ms")
    print(f"customer_context():    {statistics.median(ctx) * 1000:7.2f} ms per customer")
    print(f"Simulator.plan(100):   {statistics.median(plan) * 1000:7.1f} ms (incl. casting)")
    print(f"reopen + re-anchor:    {statistics.median(reanchor) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
