#!/usr/bin/env python3
"""Times torch.matmul with CUDA events, the way bench-runner times a cold GEMM, for comparison with it.

For each dtype (bf16, fp16, tf32) it multiplies two seeded random n x n matrices: warm-up, then samples
each preceded by an L2 flush (a write of an L2-sized buffer), until the median's 95% interval is within
0.5% or 2 s have passed. Prints CSV on stdout: dtype,n,median_ms,tflops,samples,torch,torch_cuda.
"""
import argparse
import math
import statistics
import sys
import time

import torch


def median_interval_width(samples):
    """Relative width of the median's 95% interval from order statistics (normal approximation of the binomial)."""
    n = len(samples)
    ordered = sorted(samples)
    half = 1.959964 * math.sqrt(n) / 2
    low = max(int(math.floor(n / 2 - half)), 1)
    high = min(int(math.ceil(n / 2 + 1 + half)), n)
    return (ordered[high - 1] - ordered[low - 1]) / statistics.median(ordered)


def time_matmul(dtype_name, n, flush):
    torch.backends.cuda.matmul.allow_tf32 = dtype_name == "tf32"
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32}[dtype_name]
    generator = torch.Generator(device="cuda").manual_seed(0)
    a = (torch.rand(n, n, device="cuda", generator=generator) * 2 - 1).to(dtype)
    b = (torch.rand(n, n, device="cuda", generator=generator) * 2 - 1).to(dtype)
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(5):
        torch.matmul(a, b)
    torch.cuda.synchronize()
    samples = []
    began = time.monotonic()
    while True:
        flush.zero_()
        start.record()
        torch.matmul(a, b)
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop))
        if len(samples) >= 10 and (median_interval_width(samples) < 0.005 or time.monotonic() - began > 2.0):
            break
    median_ms = statistics.median(samples)
    return median_ms, 2.0 * n**3 / (median_ms * 1e-3) / 1e12, len(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--dtypes", default="bf16,fp16,tf32")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("bench_gemm_torch: expected a CUDA device, found none", file=sys.stderr)
        return 2
    l2_bytes = torch.cuda.get_device_properties(0).L2_cache_size
    flush = torch.empty(max(l2_bytes, 1), dtype=torch.uint8, device="cuda")
    print("dtype,n,median_ms,tflops,samples,torch,torch_cuda")
    for dtype_name in args.dtypes.split(","):
        median_ms, tflops, count = time_matmul(dtype_name, args.size, flush)
        print(f"{dtype_name},{args.size},{median_ms:.6f},{tflops:.2f},{count},{torch.__version__},{torch.version.cuda}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
