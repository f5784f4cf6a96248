"""`assist-review FILE [--report out.html]`: offline service review (服务复盘) of exported chat logs.

Input: JSON lines {"id": any, "turns": [{"role": "customer"|"agent", "text": "…"}, …]} ("-" reads stdin).
Output: one JSON line per conversation, in input order, on stdout:
  {"id", "needs_attention": 0|1, "risk": 0-100, "level", "reasons": […], "messages": [{"intent", "emotion"}, …]}
A line that cannot be read gives {"id": …, "error": "…"} on its own line; the rest still gets reviewed.
A progress bar goes to stderr. Exit 0 on success, 2 when the file or the classifier cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from assist_app.nlp.types import ClassifierUnavailable
from assist_app.review.pipeline import review


class _Progress:
    """A one-line progress bar on stderr, redrawn at most ~10 times a second."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:
        self.stream, self.width, self.t0, self.last = stream, width, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width)
        self.stream.write(f"\r分析中 reviewing [{bar:<{self.width}}] {done}/{total} 条消息 {now - self.t0:4.1f}s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="assist-review", description="服务复盘: batch review of exported chats")
    ap.add_argument("file", help='JSON lines file ("-" for stdin)')
    ap.add_argument("--report", metavar="OUT.html", help="also write an HTML report for team leads")
    ap.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of reasons (default zh)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    a = ap.parse_args(argv)

    try:
        raw = sys.stdin.read() if a.file == "-" else Path(a.file).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        print(f"assist-review: cannot read {a.file}: {e.strerror or e}", file=sys.stderr)
        return 2
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    try:
        from assist_app.nlp.classifier import load_classifier

        clf = load_classifier()
    except ClassifierUnavailable as e:
        print(f"assist-review: classifier unavailable: {e}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    results = review(lines, clf, progress=None if a.quiet else _Progress(), lang=a.lang)
    out = sys.stdout
    for r in results:
        out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
    out.flush()
    if a.report:
        from assist_app.review.report import render

        html = render(results, source=a.file, seconds=time.monotonic() - t0)
        try:
            Path(a.report).write_text(html, encoding="utf-8")
        except OSError as e:
            print(f"assist-review: cannot write report {a.report}: {e.strerror or e}", file=sys.stderr)
            return 2
        if not a.quiet:
            print(f"报告 report: {a.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
