#!/usr/bin/env python3
"""Writes the quantisation fixtures of this folder with llama.cpp's gguf-py (gguf/quants.py).

Usage: generate.py GGUF_PY_DIR OUT_DIR
  GGUF_PY_DIR  the gguf-py folder of a llama.cpp checkout (its quants.py is the reference)
  OUT_DIR      where to write TYPE.input.f32, TYPE.quant.bin and TYPE.dequant.f32

For each type: a deterministic input (little-endian float32), the bytes quants.quantize gives for
it, and the floats quants.dequantize gives for those bytes. Types that quants.py cannot quantise
(Q4_K, Q5_K, Q6_K) get pseudo-random blocks instead, with finite fp16 scales, and no input
file. Builds nothing and copies nothing from gguf-py: it only runs it.
"""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from gguf import quants  # noqa: E402
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType as T  # noqa: E402

out = sys.argv[2]
rng = np.random.default_rng(20261207)
N = 512


def inputs():
    x = rng.standard_normal(N).astype(np.float32)
    x[0:32] = 0  # an all-zero block: scale 0
    # A block of halves and exact multiples: rounding ties, the clipped top level of Q4_0/Q5_0.
    x[32:64] = (np.arange(32, dtype=np.float32) - 16) * np.float32(0.5)
    x[64:96] *= np.float32(1e-3)  # a small block
    x[96:128] = np.abs(x[96:128]) * 7  # a positive block: d negative in Q4_0/Q5_0
    return x


def plain_inputs():
    x = inputs()
    x[1:8] = [np.inf, -np.inf, np.nan, -0.0, 1e-40, 65504.0, 1e6]
    x[8:12] = [3.0e-8, 6.1e-5, 1.00048828125, 1.0009765625]  # fp16 subnormal, ties
    x[12:16] = np.array([0x3F808000, 0x3F818000, 0x7FC00001, 0x00008000], dtype=np.uint32).view(np.float32)
    return x


def write(name, data):
    with open(f"{out}/{name}", "wb") as f:
        f.write(np.ascontiguousarray(data).tobytes())


for qtype in [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q5_0]:
    x = plain_inputs() if qtype in (T.F32, T.F16, T.BF16) else inputs()
    q = quants.quantize(x, qtype)
    y = quants.dequantize(np.frombuffer(q.tobytes(), dtype=np.uint8), qtype)
    write(f"{qtype.name}.input.f32", x.astype("<f4"))
    write(f"{qtype.name}.quant.bin", q.view(np.uint8))
    write(f"{qtype.name}.dequant.f32", y.astype("<f4"))

# The K-quants: random blocks with finite, positive fp16 scales where ggml keeps them.
scale_offsets = {T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}
for qtype, offsets in scale_offsets.items():
    block, size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(N // block, size), dtype=np.uint8)
    for off in offsets:
        scales = rng.uniform(1e-4, 2e-2, size=(N // block,)).astype(np.float16)
        blocks[:, off:off + 2] = scales.view(np.uint8).reshape(-1, 2)
    q = blocks.reshape(-1)
    y = quants.dequantize(q, qtype)
    write(f"{qtype.name}.quant.bin", q)
    write(f"{qtype.name}.dequant.f32", y.astype("<f4"))
