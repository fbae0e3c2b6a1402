"""Cold timing of one PyTorch operation with CUDA events, the way bench-runner times a case, for the torch scripts.

After five warm-up calls, each sample follows an L2 flush (a write of an L2-sized buffer) until the median's 95%
interval is within 0.5% or 2 s have passed (and at least ten samples were taken).
"""
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


def l2_flush_buffer(program):
    """A device buffer as large as device 0's L2 cache, whose zeroing evicts what a previous sample left there.

    Exits with status 2, naming `program`, where no CUDA device is present.
    """
    if not torch.cuda.is_available():
        print(f"{program}: expected a CUDA device, found none", file=sys.stderr)
        sys.exit(2)
    l2_bytes = torch.cuda.get_device_properties(0).L2_cache_size
    return torch.empty(max(l2_bytes, 1), dtype=torch.uint8, device="cuda")


def time_cold(operation, flush):
    """Median milliseconds of operation() over cold samples, and how many samples were taken."""
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(5):
        operation()
    torch.cuda.synchronize()
    samples = []
    began = time.monotonic()
    while True:
        flush.zero_()
        start.record()
        operation()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop))
        if len(samples) >= 10 and (median_interval_width(samples) < 0.005 or time.monotonic() - began > 2.0):
            break
    return statistics.median(samples), len(samples)
