"""``assist-gateway``: run the gateway (optionally with the embedded demo store and simulator).

    assist-gateway --demo                              # demo tokens, demo shop, simulated customers
    assist-gateway --config tokens.toml --db shop.sqlite
    assist-gateway --print-config > tokens.toml        # a commented config to start from
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
from pathlib import Path

from assist_app.config import ConfigError, demo_config, example_toml, load_config
from assist_app.gateway.logs import emit, setup_logging


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="assist-gateway", description="Live chat gateway for assist_app.")
    ap.add_argument("--config", type=Path, help="TOML file with [gateway] settings and agent/lead/source tokens")
    ap.add_argument("--db", type=Path, help="SQLite store file (created if missing); the replay log is kept "
                                            "next to it in <db>.gateway")
    ap.add_argument("--demo", action="store_true",
                    help="fill the store with the demo shop and run the customer simulator (demo tokens "
                         "unless --config is given)")
    ap.add_argument("--speed", type=float, default=1.0, help="simulator speed-up (with --demo)")
    ap.add_argument("--conversations", type=int, default=40, help="simulated conversations per round (--demo)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--host", help="override [gateway] host")
    ap.add_argument("--port", type=int, help="override [gateway] port")
    ap.add_argument("--log-level", default="INFO")
    ap.add_argument("--log-format", choices=("text", "json"), default="text")
    ap.add_argument("--print-config", action="store_true", help="print an example config and exit")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.print_config:
        sys.stdout.write(example_toml())
        return 0
    try:
        if args.config is not None:
            cfg = load_config(args.config)
        elif args.demo:
            cfg = demo_config(port=8765)
        else:
            print("assist-gateway: give --config tokens.toml (see --print-config) or --demo", file=sys.stderr)
            return 2
    except ConfigError as exc:
        print(f"assist-gateway: {exc}", file=sys.stderr)
        return 2
    setup_logging(args.log_level, args.log_format)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        cfg = dataclasses.replace(cfg, **overrides)
    if args.demo and args.db is None:
        args.db = Path("assist_demo.sqlite")
    try:
        return asyncio.run(_run(cfg, args))
    except KeyboardInterrupt:
        return 130


async def _run(cfg, args: argparse.Namespace) -> int:  # noqa: ANN001
    from assist_app.gateway.server import Gateway, state_path_for

    store = None
    if args.db is not None:
        from assist_app.store import Store, StoreError

        try:
            store = await asyncio.to_thread(Store.demo if args.demo else Store, args.db, *(
                (args.seed,) if args.demo else ()))
        except StoreError as exc:
            print(f"assist-gateway: {exc}", file=sys.stderr)
            return 2
    from assist_app.gateway.log import StreamLogError

    try:
        gw = Gateway(cfg, store=store, state_path=state_path_for(args.db) if args.db is not None else None)
    except StreamLogError as exc:
        print(f"assist-gateway: {exc}", file=sys.stderr)
        return 2
    try:
        await gw.start()
    except OSError as exc:
        print(f"assist-gateway: cannot listen on {cfg.host}:{cfg.port}: {exc}", file=sys.stderr)
        return 2
    print(f"assist-gateway listening on {gw.url}", flush=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(gw.stop()))
    sim_task = None
    if args.demo and store is not None:
        from assist_app.sim import Simulator
        from assist_app.sim.runner import SimRunner

        source = next((p for p in cfg.principals if p.role == "source"), None)
        agents = tuple(a.id for a in cfg.agents())
        if source is None or not agents:
            emit(40, "demo.unavailable", reason="config has no source or no agents")
        else:
            import time

            run_id = f"{int(time.time()) % 1_000_000:06d}"

            def plan(rnd: int):  # noqa: ANN202
                return Simulator(store, seed=args.seed + rnd, agents=agents,
                                 id_prefix=f"demo{run_id}r{rnd}").plan(args.conversations)

            runner = SimRunner(gw.url, source.token, plan, speed=args.speed, rounds=None)
            sim_task = asyncio.create_task(runner.run())
    await gw.serve_forever()
    if sim_task is not None:
        sim_task.cancel()
        await asyncio.gather(sim_task, return_exceptions=True)
    if store is not None:
        store.close()
    return 0
