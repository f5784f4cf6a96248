"""Classifier latency/throughput: student (int8 ONNX), teacher (ONNX, if shipped) and the TF-IDF baseline, in
one run. Each model runs in its own subprocess so load time and peak RSS are its own.

    python benchmarks/classifier.py [--n 300] [--threads 2]

Prints one line per model: load time, p50/p99 of one message (with its previous turn, as the sidebar calls
it), messages/s in batches of 32, peak RSS. Messages are real dev-split customer turns if ../shared is there.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "jddc_labeled" / "dev.jsonl"


def messages(n: int) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    if DEV.exists():
        for line in open(DEV, encoding="utf-8"):
            prev: list[str] = []
            for t in json.loads(line)["turns"]:
                if t["role"] == "customer":
                    out.append((t["text"], prev[-4:]))
                prev.append(t["text"])
    else:
        out = [("亲，这件冲锋衣什么时候发货？", ["您好，欢迎光临"]), ("好的谢谢", ["已经为您催促仓库"])] * n
    return out[:n]


def bench_one(kind: str, n: int, threads: int) -> dict:
    msgs = messages(n)
    t0 = time.perf_counter()
    if kind == "tfidf":
        pkl = REPO / "models" / "train" / "work" / "tfidf.pkl"
        if not pkl.exists():
            subprocess.run([sys.executable, str(REPO / "models" / "train" / "baselines.py"), "--save", str(pkl),
                            "--out", str(pkl.with_suffix(".json"))], check=True, capture_output=True)
            t0 = time.perf_counter()
        vec, ci, ce = pickle.loads(pkl.read_bytes())

        def single(text, prev):
            x = vec.transform([text])
            return ci.predict_proba(x), ce.predict_proba(x)

        def batch(items):
            x = vec.transform([t for t, _ in items])
            return ci.predict_proba(x), ce.predict_proba(x)
    else:
        from assist_app.nlp.classifier import load_classifier

        clf = load_classifier(name=kind, threads=threads)

        def single(text, prev):
            return clf.predict(text, prev)

        def batch(items):
            return clf.predict_batch(items)
    load_s = time.perf_counter() - t0
    for text, prev in msgs[:20]:
        single(text, prev)
    lat = []
    for text, prev in msgs:
        s = time.perf_counter()
        single(text, prev)
        lat.append((time.perf_counter() - s) * 1000)
    lat.sort()
    s = time.perf_counter()
    for i in range(0, len(msgs), 32):
        batch(msgs[i:i + 32])
    tput = len(msgs) / (time.perf_counter() - s)
    return {"model": kind, "load_s": round(load_s, 3), "p50_ms": round(lat[len(lat) // 2], 2),
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 2), "batch32_msgs_per_s": round(tput, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(bench_one(a.one, a.n, a.threads)))
        return 0
    print(f"{'model':8s} {'load s':>7s} {'p50 ms':>7s} {'p99 ms':>7s} {'batch32 msg/s':>14s} {'peak RSS MB':>12s}")
    for kind in ("student", "teacher", "tfidf"):
        if kind == "teacher" and not (REPO / "models" / "teacher.json").exists():
            print("teacher  (not shipped)")
            continue
        p = subprocess.run([sys.executable, __file__, "--one", kind, "--n", str(a.n), "--threads", str(a.threads)],
                           capture_output=True, text=True)
        if p.returncode:
            print(kind, "failed:", p.stderr[-500:])
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"{kind:8s} {r['load_s']:7.3f} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f} "
              f"{r['batch32_msgs_per_s']:14.1f} {r['peak_rss_mb']:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
