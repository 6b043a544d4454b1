#!/usr/bin/env python3
"""GGML's own quantisers and dequantisers on fixed inputs, as test data.

Loads libggml-base.so (the llama.cpp build inside @node-llama-cpp/linux-x64) with
ctypes and runs, for every block type lpu reads, quantize_row_<type>_ref (what
llama-quantize runs without an importance matrix) and dequantize_row_<type> on
the same 512 floats; plus quantize_row_q8_K_ref, GGML's activation quantiser for
K-quant dot products. Writes JSON: the inputs, GGML's bytes for each type, and an
FNV-1a hash of GGML's dequantised floats. tests/runtime/kernels/ggml_blocks_test.cpp
checks lpu's quantisers give the same bytes and its dequantisers the same floats.

    ggml_blocks.py LIBGGML_BASE OUT.json
"""
import ctypes
import json
import math
import random
import struct
import sys

TYPES = ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K"]
# Bytes per block and values per block (GGML's layouts).
BLOCKS = {"q8_0": (34, 32), "q4_0": (18, 32), "q4_1": (20, 32), "q5_0": (22, 32), "q5_1": (24, 32),
          "q2_K": (84, 256), "q3_K": (110, 256), "q4_K": (144, 256), "q5_K": (176, 256), "q6_K": (210, 256),
          "q8_K": (292, 256)}
VALUES = 1024  # four super-blocks


def inputs(seed):
    """Weights as real checkpoints have them: near-Gaussian, rows of different
    scale, a few outliers, one all-zero run and one of tiny values."""
    rng = random.Random(seed)
    values = []
    for block in range(VALUES // 256):
        scale = [0.02, 1.0, 7.5, 0.3][block]
        values += [rng.gauss(0.0, scale) for _ in range(256)]
    for i in rng.sample(range(VALUES), 12):
        values[i] *= 25.0
    values[256:288] = [0.0] * 32
    values[512:544] = [v * 1e-6 for v in values[512:544]]
    values[800:832] = [abs(v) + 0.5 for v in values[800:832]]  # a block with a positive minimum
    return [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]  # exact float32 values


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def main():
    lib = ctypes.CDLL(sys.argv[1])
    out_path = sys.argv[2]
    values = inputs(20240615)
    x = (ctypes.c_float * VALUES)(*values)
    result = {
        "source": "GGML's quantize_row_<type>_ref and dequantize_row_<type> (libggml-base of "
                  "@node-llama-cpp/linux-x64 3.22.1), written by scripts/crosscheck/ggml_blocks.py",
        "input_f32_hex": struct.pack("<%df" % VALUES, *values).hex(),
        "types": {},
    }
    for name in TYPES + ["q8_K"]:
        block_bytes, block_values = BLOCKS[name]
        quantized = (ctypes.c_uint8 * (VALUES // block_values * block_bytes))()
        getattr(lib, "quantize_row_%s_ref" % name)(x, quantized, ctypes.c_int64(VALUES))
        entry = {"quantized_hex": bytes(quantized).hex()}
        if name != "q8_K":
            dequantized = (ctypes.c_float * VALUES)()
            getattr(lib, "dequantize_row_%s" % name)(quantized, dequantized, ctypes.c_int64(VALUES))
            entry["dequantized_f32_fnv1a64"] = fnv1a64(bytes(dequantized))
            entry["dequantized_sample"] = [dequantized[i] for i in (0, 1, 300, 600, 1023)]
        result["types"][name.upper()] = entry
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
