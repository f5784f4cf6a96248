"""`assist-sidebar`: the agent sidebar (and, with --lead, the team-lead view of assist_app/ui/lead).

    assist-sidebar --demo                      embedded demo: gateway + SQLite store + simulated customers
    assist-sidebar --demo --screenshot out.png render the sidebar once several chats are live, then exit
    assist-sidebar --url ws://host:8765 --token T
    assist-sidebar --lead ...                  team-lead mode (issue 6)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assist_app.ui import runtime

log = logging.getLogger("assist_app.ui")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assist-sidebar", description="Agent-assist sidebar (坐席助手)")
    p.add_argument("--demo", action="store_true", help="start the embedded demo backend (gateway, store, simulator)")
    p.add_argument("--screenshot", metavar="PATH", type=Path,
                   help="render the window(s) to a PNG once several chats are live and analysed, then exit")
    p.add_argument("--lead", action="store_true", help="team-lead mode")
    p.add_argument("--url", help="gateway WebSocket URL, e.g. ws://127.0.0.1:8765")
    p.add_argument("--token", help="agent (or lead) token from the gateway config")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="UI language (default: last used, else zh)")
    p.add_argument("--theme", choices=("light", "dark"), default=None, help="colour theme (default: last used)")
    p.add_argument("--speed", type=float, default=None,
                   help="demo clock speed-up (default 1, or 20 with --screenshot)")
    p.add_argument("--agent", default=None, help="demo: which agent to sign in as (default: the first)")
    p.add_argument("--model-dir", type=Path, default=None, help="classifier model directory (default models/)")
    p.add_argument("--no-chat", action="store_true", help="do not open the demo agent chat window")
    p.add_argument("--min-chats", type=int, default=4, help="--screenshot: analysed chats to wait for")
    p.add_argument("--timeout", type=float, default=45.0, help="--screenshot: give up waiting after N s")
    p.add_argument("--select", choices=("top", "calm", "angry", "orders"), default="top",
                   help="--screenshot: which chat to show (default: the one that needs the agent most)")
    p.add_argument("--panel", choices=("top", "orders"), default="top",
                   help="--screenshot: scroll the detail to this panel")
    p.add_argument("--width", type=int, default=420, help="--screenshot: sidebar width in pixels")
    p.add_argument("--db", type=Path, default=None, help="demo: SQLite file (default: a temporary file)")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.lead and not args.demo and args.url and args.token:
        # a team lead's token opens the lead view without --lead (the gateway says which role it is)
        from assist_app.ui.lead.app import token_role

        args.lead = token_role(args.url, args.token) == "lead"
    if args.lead:
        from assist_app.ui.lead.app import run_lead

        return int(run_lead(args) or 0)
    if not args.demo and not (args.url and args.token):
        print("assist-sidebar: give --demo, or --url and --token of a running gateway", file=sys.stderr)
        return 2
    if args.speed is None:
        args.speed = 20.0 if args.screenshot else 1.0
    from assist_app.ui.agent import run_agent

    return runtime.run(lambda: run_agent(args), [])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
