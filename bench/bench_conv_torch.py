#!/usr/bin/env python3
"""Times torch.nn.functional.conv2d with CUDA events, the way bench-runner times a cold convolution, for comparison.

Reads a conv suite CSV (bench/suites/conv_*.csv) and times each forward cudnn row in PyTorch: `heuristic` rows with
torch.backends.cudnn.benchmark False, `searched` rows with it True and benchmark_limit 0 (every candidate); fp32
with TF32 off, tf32 with it on; NHWC as channels_last. Inputs are seeded uniform values in [-1, 1), timed as
torch_timing.time_cold describes (as the runner times a case: settling, L2 flush before each sample, at least
0.5 s, at most 1 s). Prints CSV on stdout:
algo,dtype,params,median_ms,tflops,samples,torch,cudnn where params is spelled as the runner's params column.
"""
import argparse
import csv
import sys

import torch
import torch.nn.functional as F

from torch_timing import l2_flush_buffer, time_cold

DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
SHAPE_KEYS = ("n", "c", "h", "w", "k", "r", "s", "stride", "pad", "dilation", "groups")


def params_of(row):
    """The runner's params column: the shape as sorted key=value pairs joined by ';'."""
    values = {key: row[key] for key in SHAPE_KEYS}
    values["direction"] = row["direction"]
    values["layout"] = row["layout"]
    return ";".join(f"{key}={values[key]}" for key in sorted(values))


def time_conv(row, flush):
    shape = {key: int(row[key]) for key in SHAPE_KEYS}
    torch.backends.cudnn.benchmark = row["algo"] == "searched"
    # PyTorch's search times only its first ten candidates by default; the runner's times every candidate.
    torch.backends.cudnn.benchmark_limit = 0
    torch.backends.cudnn.allow_tf32 = row["dtype"] == "tf32"
    dtype = DTYPES[row["dtype"]]
    memory_format = torch.channels_last if row["layout"] == "NHWC" else torch.contiguous_format
    generator = torch.Generator(device="cuda").manual_seed(0)
    x = torch.rand(shape["n"], shape["c"], shape["h"], shape["w"], device="cuda", generator=generator) * 2 - 1
    w = torch.rand(shape["k"], shape["c"] // shape["groups"], shape["r"], shape["s"], device="cuda",
                   generator=generator) * 2 - 1
    x = x.to(dtype).contiguous(memory_format=memory_format)
    w = w.to(dtype).contiguous(memory_format=memory_format)

    def conv():
        return F.conv2d(x, w, stride=shape["stride"], padding=shape["pad"], dilation=shape["dilation"],
                        groups=shape["groups"])

    median_ms, count = time_cold(conv, flush)
    p, q = conv().shape[2:]
    flop = 2.0 * shape["n"] * shape["k"] * p * q * (shape["c"] // shape["groups"]) * shape["r"] * shape["s"]
    return median_ms, flop / (median_ms * 1e-3) / 1e12, count


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("suite", help="a conv suite CSV; its forward cudnn rows are timed")
    parser.add_argument("--algo", choices=("heuristic", "searched"),
                        help="only these rows: PyTorch caches a convolution's plan under a key without the "
                             "benchmark flag, so in one process a searched row after a heuristic row of the same "
                             "shape reuses the heuristic's plan; time the two in separate processes")
    parser.add_argument("--no-header", action="store_true", help="leave out the CSV header")
    args = parser.parse_args()
    flush = l2_flush_buffer("bench_conv_torch")
    with open(args.suite, newline="") as f:
        rows = [row for row in csv.DictReader(line for line in f if not line.startswith("#"))
                if row["impl"] == "cudnn" and row["direction"] == "fwd" and args.algo in (None, row["algo"])]
    out = csv.writer(sys.stdout, lineterminator="\n")
    if not args.no_header:
        out.writerow(["algo", "dtype", "params", "median_ms", "tflops", "samples", "torch", "cudnn"])
    for row in rows:
        median_ms, tflops, count = time_conv(row, flush)
        out.writerow([row["algo"], row["dtype"], params_of(row), f"{median_ms:.6f}", f"{tflops:.2f}", count,
                      torch.__version__, torch.backends.cudnn.version()])
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
