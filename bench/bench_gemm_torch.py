#!/usr/bin/env python3
"""Times torch.matmul with CUDA events, the way bench-runner times a cold GEMM, for comparison with it.

For each dtype (bf16, fp16, tf32) it multiplies two seeded random n x n matrices (uniform in [-1, 1), as the
runner's inputs), timed as torch_timing.time_cold describes; with --ahead (scripts/gpu-validate-gemm uses it) each
product is enqueued while the GPU runs the previous one, so that the GPU is kept as busy as the runner keeps it. Prints CSV on stdout:
dtype,n,median_ms,tflops,samples,torch,torch_cuda.
"""
import argparse
import sys

import torch

from torch_timing import l2_flush_buffer, time_cold


def time_matmul(dtype_name, n, flush, ahead):
    """Median ms, TFLOP/s and sample count of torch.matmul; with no flush buffer, one untimed product."""
    torch.backends.cuda.matmul.allow_tf32 = dtype_name == "tf32"
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32}[dtype_name]
    generator = torch.Generator(device="cuda").manual_seed(0)
    a = (torch.rand(n, n, device="cuda", generator=generator) * 2 - 1).to(dtype)
    b = (torch.rand(n, n, device="cuda", generator=generator) * 2 - 1).to(dtype)
    if flush is None:
        torch.matmul(a, b)
        torch.cuda.synchronize()
        return None
    median_ms, count = time_cold(lambda: torch.matmul(a, b), flush, ahead)
    return median_ms, 2.0 * n**3 / (median_ms * 1e-3) / 1e12, count


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--dtypes", default="bf16,fp16,tf32")
    parser.add_argument("--once", action="store_true",
                        help="one untimed product per dtype, for CUBLASLT_LOG_LEVEL to show the algorithm torch runs")
    parser.add_argument("--ahead", action="store_true",
                        help="enqueue each sample while the GPU runs the previous one instead of sleeping the GPU "
                             "while the host enqueues (torch_timing.time_cold)")
    args = parser.parse_args()
    flush = l2_flush_buffer("bench_gemm_torch")
    if args.once:
        for dtype_name in args.dtypes.split(","):
            time_matmul(dtype_name, args.size, None, False)
        return 0
    print("dtype,n,median_ms,tflops,samples,torch,torch_cuda")
    for dtype_name in args.dtypes.split(","):
        median_ms, tflops, count = time_matmul(dtype_name, args.size, flush, args.ahead)
        print(f"{dtype_name},{args.size},{median_ms:.6f},{tflops:.2f},{count},{torch.__version__},{torch.version.cuda}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
