"""The encoder (XLM-R/BERT post-LayerNorm, as in multilingual-e5-small) with two classification heads.

Used for both the teacher (12 layers) and the student (its first layers, or a factorised narrow copy).
Input: token ids + attention mask + `text_mask` marking the current message's tokens; the heads read the
concatenation of the mean over the current message and the mean over the whole input (message + context),
so context informs attention without diluting the message itself.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def __init__(self, H: int, NH: int, FF: int, eps: float):
        super().__init__()
        self.NH, self.hd = NH, H // NH
        self.q, self.k, self.v, self.ao = (nn.Linear(H, H) for _ in range(4))
        self.aln = nn.LayerNorm(H, eps=eps)
        self.fi, self.fo = nn.Linear(H, FF), nn.Linear(FF, H)
        self.oln = nn.LayerNorm(H, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        B, L, H = x.shape
        def split(t):
            return t.view(B, L, self.NH, self.hd).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + bias
        att = self.drop(att.softmax(-1))
        ctx = (att @ v).transpose(1, 2).reshape(B, L, H)
        x = self.aln(x + self.drop(self.ao(ctx)))
        return self.oln(x + self.drop(self.fo(F.gelu(self.fi(x)))))


class Classifier(nn.Module):
    def __init__(self, vocab: int, H: int = 384, NL: int = 12, NH: int = 12, FF: int = 1536,
                 max_pos: int = 512, eps: float = 1e-12, n_intents: int = 23, n_emotions: int = 5,
                 emb_dim: int | None = None, aux_heads: dict[str, int] | None = None):
        super().__init__()
        self.emb_dim = emb_dim or H
        self.word = nn.Embedding(vocab, self.emb_dim)
        self.proj = nn.Linear(self.emb_dim, H, bias=False) if self.emb_dim != H else None
        self.pos = nn.Embedding(max_pos, H)
        self.type_emb = nn.Parameter(torch.zeros(H))
        self.eln = nn.LayerNorm(H, eps=eps)
        self.layers = nn.ModuleList(Layer(H, NH, FF, eps) for _ in range(NL))
        self.drop = nn.Dropout(0.1)
        self.intent = nn.Linear(2 * H, n_intents)
        self.emotion = nn.Linear(2 * H, n_emotions)
        self.aux = nn.ModuleDict({k: nn.Linear(2 * H, n) for k, n in (aux_heads or {}).items()})

    def encode(self, ids: torch.Tensor, mask: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
        L = ids.shape[1]
        x = self.word(ids)
        if self.proj is not None:
            x = self.proj(x)
        x = self.eln(x + self.pos.weight[:L] + self.type_emb)
        x = self.drop(x)
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        m = mask.unsqueeze(-1).to(x.dtype)
        tm = text_mask.unsqueeze(-1).to(x.dtype)
        pooled_all = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        pooled_text = (x * tm).sum(1) / tm.sum(1).clamp(min=1.0)
        return torch.cat([pooled_text, pooled_all], -1)

    def forward(self, ids, mask, text_mask):
        h = self.drop(self.encode(ids, mask, text_mask))
        return self.intent(h), self.emotion(h)

    def aux_logits(self, name: str, ids, mask, text_mask):
        return self.aux[name](self.drop(self.encode(ids, mask, text_mask)))


def load_pretrained(model: Classifier, tensors: dict, keep_ids, n_layers: int | None = None) -> None:
    """Copy e5 weights (from e5_weights.load_e5) into `model`; `keep_ids` maps new vocab row -> e5 row."""
    H = model.pos.weight.shape[1]
    with torch.no_grad():
        word = torch.from_numpy(tensors["emb.word"][keep_ids])
        model.word.weight.copy_(word)
        model.pos.weight.copy_(torch.from_numpy(tensors["emb.pos"].reshape(-1, H)[: model.pos.weight.shape[0]]))
        model.type_emb.copy_(torch.from_numpy(tensors["emb.type"].reshape(-1, H)[0]))
        model.eln.weight.copy_(torch.from_numpy(tensors["emb.ln.w"]))
        model.eln.bias.copy_(torch.from_numpy(tensors["emb.ln.b"]))
        for i, layer in enumerate(model.layers[: n_layers or len(model.layers)]):
            for name in ("q", "k", "v", "ao", "fi", "fo"):
                lin = getattr(layer, name)
                lin.weight.copy_(torch.from_numpy(tensors[f"l{i}.{name}.w"]))
                lin.bias.copy_(torch.from_numpy(tensors[f"l{i}.{name}.b"]))
            for name in ("aln", "oln"):
                ln = getattr(layer, name)
                ln.weight.copy_(torch.from_numpy(tensors[f"l{i}.{name}.w"]))
                ln.bias.copy_(torch.from_numpy(tensors[f"l{i}.{name}.b"]))
