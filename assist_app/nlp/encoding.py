"""Turn (message, previous turns) into model inputs. Shared by training and the runtime so they never drift.

Layout: <s> query: MESSAGE </s></s> LATEST_PREVIOUS </s></s> OLDER_PREVIOUS ... </s>
The message comes first so truncation only ever cuts context; `text_mask` marks the message tokens,
which the model pools separately from the whole input. Previous turns keep their *last* tokens: the
agent's question at the end of a long turn is what decides "好的" vs "12345".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PREFIX = "query: "
BOS, PAD, EOS = 0, 1, 2


@dataclass(frozen=True)
class EncodingConfig:
    max_text_tokens: int = 64
    max_prev_tokens: int = 32
    n_previous: int = 2

    def to_dict(self) -> dict:
        return {"max_text_tokens": self.max_text_tokens, "max_prev_tokens": self.max_prev_tokens,
                "n_previous": self.n_previous}


def encode_one(tokenizer, text: str, previous: Sequence[str], cfg: EncodingConfig) -> tuple[list[int], list[int]]:
    ids = tokenizer.encode(PREFIX + text, add_special_tokens=False).ids[: cfg.max_text_tokens]
    seq = [BOS, *ids]
    text_mask = [0] + [1] * len(ids)
    recent = [p for p in list(previous)[-cfg.n_previous:] if p]
    for p in reversed(recent):
        pids = tokenizer.encode(p, add_special_tokens=False).ids[-cfg.max_prev_tokens:]
        seq += [EOS, EOS, *pids]
        text_mask += [0] * (2 + len(pids))
    seq.append(EOS)
    text_mask.append(0)
    return seq, text_mask


def pad_batch(encoded: Sequence[tuple[list[int], list[int]]]) -> dict[str, np.ndarray]:
    n = len(encoded)
    width = max(len(ids) for ids, _ in encoded)
    ids = np.full((n, width), PAD, dtype=np.int64)
    mask = np.zeros((n, width), dtype=np.int64)
    tmask = np.zeros((n, width), dtype=np.int64)
    for i, (seq, tm) in enumerate(encoded):
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
        tmask[i, : len(tm)] = tm
    return {"ids": ids, "mask": mask, "text_mask": tmask}
