"""Classifier result types and errors (no onnxruntime import here, so the core can use them cheaply)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Below this calibrated confidence the UI says 不确定 instead of showing the intent.
INTENT_CONFIDENCE_FLOOR = 0.5


class ClassifierUnavailable(RuntimeError):
    """The model cannot be used (missing, truncated, corrupt, wrong label set). The message names the file."""


@dataclass(frozen=True)
class Prediction:
    intent: str
    intent_confidence: float
    emotion: str
    emotion_confidence: float
    intent_probs: dict[str, float] = field(default_factory=dict)
    emotion_probs: dict[str, float] = field(default_factory=dict)

    @property
    def uncertain(self) -> bool:
        return self.intent_confidence < INTENT_CONFIDENCE_FLOOR

    @property
    def negative_score(self) -> float:
        """Probability mass on anxious + disappointed + angry."""
        return sum(self.emotion_probs.get(e, 0.0) for e in ("anxious", "disappointed", "angry"))
