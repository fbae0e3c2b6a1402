"""Cold timing of one PyTorch operation with CUDA events, the way bench-runner times a case, for the torch scripts.

After five warm-up calls and five more that time the host's enqueueing of a sample, 0.2 s of samples are taken and
dropped (clocks settle, as the runner's --settle-s); then each sample follows an L2 flush (a write of an L2-sized
buffer), for at least 0.5 s and ten samples, until the median's 95% interval (the wider of the order-statistics and
the batch-means interval, as bench/stopping_rule.cpp) is within 0.5%, or 1 s has passed (the runner's
--time-cap-s). The host's enqueueing is kept out of the samples either behind a GPU sleep before each sample, or,
for an operation much longer than its enqueueing, by enqueueing each sample while the GPU runs the one before.
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


def batch_means_half_width(samples):
    """Half-width of the batch-means 95% interval: ten consecutive batches, Student's t over their medians."""
    per_batch = len(samples) // 10
    if per_batch < 2:
        return 0.0
    medians = [statistics.median(samples[b * per_batch:(b + 1) * per_batch if b < 9 else len(samples)])
               for b in range(10)]
    return 2.2621571627982 * statistics.stdev(medians) / math.sqrt(10)


def l2_flush_buffer(program):
    """A device buffer as large as device 0's L2 cache, whose zeroing evicts what a previous sample left there.

    Exits with status 2, naming `program`, where no CUDA device is present.
    """
    if not torch.cuda.is_available():
        print(f"{program}: expected a CUDA device, found none", file=sys.stderr)
        sys.exit(2)
    l2_bytes = torch.cuda.get_device_properties(0).L2_cache_size
    return torch.empty(max(l2_bytes, 1), dtype=torch.uint8, device="cuda")


def sleep_cycles_per_ms():
    """GPU clock cycles that torch.cuda._sleep spins per millisecond, measured."""
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    torch.cuda._sleep(1_000_000)
    stop.record()
    stop.synchronize()
    return 1_000_000 / start.elapsed_time(stop)


def time_cold(operation, flush, ahead=False):
    """Median milliseconds of operation() over cold samples, and how many samples were taken.

    ahead=False: the GPU sleeps while the host enqueues each sample, as the runner holds its stream with a blocking
    kernel. ahead=True: each sample is enqueued while the GPU runs the previous one and read after, so that the GPU
    does not wait for the host between samples; right only where the operation takes much longer than its
    enqueueing (a GEMM of milliseconds), else the host falls behind and its time enters the samples.
    """
    pairs = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(2)]
    start, stop = pairs[0]
    for _ in range(5):
        operation()
    torch.cuda.synchronize()
    # The GPU sleeps while the host enqueues a sample (flush, events, the operation: PyTorch's dispatch can take
    # longer than a short kernel), twice the median enqueue time of five warm samples, as the runner holds its
    # stream with a blocking kernel: the events then time the GPU's work, not the host's. The warm-up above keeps
    # first-call costs (library set-up, algorithm search) out of that median: a long sleep would lower the duty
    # cycle, and with it the power drawn, and raise the clock of a power-capped card.
    enqueue_s = []
    for _ in range(5):
        began = time.perf_counter()
        flush.zero_()
        start.record()
        operation()
        stop.record()
        enqueue_s.append(time.perf_counter() - began)
        stop.synchronize()
    hold_cycles = 0 if ahead else int(sleep_cycles_per_ms() * max(2 * statistics.median(enqueue_s) * 1e3, 0.05))

    def enqueue(pair):
        if hold_cycles:
            torch.cuda._sleep(hold_cycles)
        flush.zero_()
        pair[0].record()
        operation()
        pair[1].record()

    def read(pair):
        pair[1].synchronize()
        return pair[0].elapsed_time(pair[1])

    issued = 0

    def sample():
        nonlocal issued
        if not ahead:
            enqueue(pairs[0])
            return read(pairs[0])
        if issued == 0:
            enqueue(pairs[0])
            issued = 1
        enqueue(pairs[issued % 2])
        issued += 1
        return read(pairs[issued % 2])

    settle_began = time.monotonic()
    while time.monotonic() - settle_began < 0.2:
        sample()
    samples = []
    began = time.monotonic()
    while True:
        samples.append(sample())
        elapsed = time.monotonic() - began
        if elapsed >= 1.0:
            break
        if len(samples) >= 10 and elapsed >= 0.5:
            width = max(median_interval_width(samples), 2 * batch_means_half_width(samples) / statistics.median(samples))
            if width < 0.005:
                break
    torch.cuda.synchronize()
    return statistics.median(samples), len(samples)
