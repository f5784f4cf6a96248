"""ONNX intent + emotion classifier at run time: onnxruntime + tokenizers + numpy, nothing else.

A model is three files in the model directory: `<name>.json` (label map, temperatures, encoding, sha256 of the
ONNX file), `<name>.onnx` and the shared `tokenizer.json`. Every way they can be wrong (missing, truncated,
corrupt, trained for another label set) raises `ClassifierUnavailable` naming the file, so the UI can say
"classifier unavailable" and keep streaming.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assist_app.nlp.encoding import EncodingConfig, encode_one, pad_batch
from assist_app.nlp.labels import EMOTIONS, INTENTS
from assist_app.nlp.types import ClassifierUnavailable, Prediction

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
# One message per ONNX run. The int8 model quantises activations dynamically, over the whole batch: batched, a
# message's label would depend on its neighbours and their padding (assist-classify's scores moved by ~0.015 with
# how stdin happened to be grouped). One at a time is deterministic and, on 2 cores, no slower.
BATCH = 1


def default_model_dir() -> Path:
    return Path(os.environ.get("ASSIST_MODEL_DIR", DEFAULT_MODEL_DIR))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class OnnxClassifier:
    """Thread-safe: onnxruntime sessions and tokenizers' encode may be called from several threads."""

    def __init__(self, model_dir: Path, name: str = "student", threads: int | None = None):
        model_dir = Path(model_dir)
        meta_path = model_dir / f"{name}.json"
        meta = self._read_meta(meta_path)
        self.name = name
        self.meta = meta
        if list(meta.get("intents", [])) != list(INTENTS) or list(meta.get("emotions", [])) != list(EMOTIONS):
            raise ClassifierUnavailable(
                f"{meta_path}: the model's label set does not match the taxonomy ids "
                f"(intents {meta.get('intents')!r}, emotions {meta.get('emotions')!r})")
        onnx_path = model_dir / meta["onnx"]
        tok_path = model_dir / meta.get("tokenizer", "tokenizer.json")
        for p in (onnx_path, tok_path):
            if not p.is_file():
                raise ClassifierUnavailable(f"{p}: model file is missing")
        if meta.get("onnx_sha256") and file_sha256(onnx_path) != meta["onnx_sha256"]:
            raise ClassifierUnavailable(f"{onnx_path}: file is truncated or corrupt (sha256 differs from {meta_path.name})")
        try:
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_file(str(tok_path))
        except Exception as e:  # noqa: BLE001 - any parse failure means the same thing to the user
            raise ClassifierUnavailable(f"{tok_path}: cannot load tokenizer ({e})") from e
        try:
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = threads or int(os.environ.get("ASSIST_CLASSIFIER_THREADS", "1"))
            so.inter_op_num_threads = 1
            so.log_severity_level = 3
            self.session = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001
            raise ClassifierUnavailable(f"{onnx_path}: cannot load ONNX model ({e})") from e
        self.cfg = EncodingConfig(**meta["encoding"])
        self.t_intent = float(meta.get("temperature_intent", 1.0))
        self.t_emotion = float(meta.get("temperature_emotion", 1.0))
        self.emotion_bias = np.asarray(meta.get("emotion_logit_bias", [0.0] * len(EMOTIONS)), dtype=np.float32)

    @staticmethod
    def _read_meta(path: Path) -> dict:
        if not path.is_file():
            raise ClassifierUnavailable(f"{path}: model description is missing")
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            meta["onnx"], meta["encoding"]  # noqa: B018 - required keys
        except (ValueError, KeyError, TypeError) as e:
            raise ClassifierUnavailable(f"{path}: model description is corrupt ({e})") from e
        return meta

    # ------------------------------------------------------------------ prediction
    def predict(self, text: str, previous: Sequence[str] = ()) -> Prediction:
        return self.predict_batch([(text, list(previous))])[0]

    def predict_batch(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[Prediction]:
        encoded = [encode_one(self.tokenizer, text, prev, self.cfg) for text, prev in items]
        # sorted by length so a batch (if BATCH > 1) pads little
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        out: list[Prediction | None] = [None] * len(encoded)
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            li, le = self.session.run(None, pad_batch([encoded[i] for i in idx]))
            pi = _softmax(li / self.t_intent)
            pe = _softmax((le + self.emotion_bias) / self.t_emotion)
            for row, i in enumerate(idx):
                out[i] = self._prediction(pi[row], pe[row])
        return out  # type: ignore[return-value]

    @staticmethod
    def _prediction(pi: np.ndarray, pe: np.ndarray) -> Prediction:
        a, b = int(pi.argmax()), int(pe.argmax())
        return Prediction(
            intent=INTENTS[a], intent_confidence=float(pi[a]),
            emotion=EMOTIONS[b], emotion_confidence=float(pe[b]),
            intent_probs={k: float(v) for k, v in zip(INTENTS, pi, strict=True)},
            emotion_probs={k: float(v) for k, v in zip(EMOTIONS, pe, strict=True)},
        )


def load_classifier(model_dir: str | os.PathLike | None = None, name: str = "student",
                    threads: int | None = None) -> OnnxClassifier:
    """The shipped student by default; name="teacher" for the slower, more accurate model if it is shipped."""
    return OnnxClassifier(Path(model_dir) if model_dir else default_model_dir(), name, threads)
