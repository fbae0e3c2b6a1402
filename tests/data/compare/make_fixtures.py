#!/usr/bin/env python3
"""Writes the fixture runs that tests/compare_test.cpp and tests/report_test.cpp read, and the malformed files
that tests/results_reader_test.cpp expects to be refused.

The column order comes from bench/result_columns.cpp, so the schema is spelled in one place. The output is
deterministic (fixed seed); run this after a schema change, then regenerate the golden files
(BENCH_UPDATE_GOLDEN=1 ctest -R report_test, see docs/compare.md).
"""
import csv
import math
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "bench", "result_columns.cpp")

H100 = "NVIDIA H100 80GB HBM3"
A100 = "NVIDIA A100-SXM4-80GB"


def columns():
    text = open(SOURCE).read()
    return ["schema_version"] + re.findall(r'\{"(\w+)", &r::\w+\}', text)


def row_stats(samples):
    s = sorted(samples)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    mean = sum(s) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in s) / (n - 1)) if n > 1 else 0.0
    # 95% order-statistic interval of the median for n = 30 is [x(10), x(21)]; small n use the range.
    lo, hi = (s[9], s[20]) if n == 30 else (s[0], s[-1])
    return {"samples": n, "median_ms": median, "mean_ms": mean, "min_ms": s[0], "max_ms": s[-1],
            "stddev_ms": sd, "ci_low_ms": lo, "ci_high_ms": hi, "noise_rel": (hi - lo) / median}


def fmt(value):
    if isinstance(value, float):
        return repr(float("%.6g" % value))
    return "" if value is None else str(value)


class run_writer:
    def __init__(self, directory, run_id, driver):
        self.directory = os.path.join(HERE, directory)
        self.run_id = run_id
        self.driver = driver
        self.rows = []
        self.samples = []

    def case(self, rng, family, impl, variant, dtype, params, toolkit, base_ms, spread, gpu=H100, n=30,
             **fields):
        case_id = "/".join([family, impl, variant, dtype, params])
        uuid = "GPU-8f0c5e2a-1b7d-4c3e-9a61-0d2f7e4b5c01" if gpu == H100 else "GPU-2b9e4d71-6c05-4f8a-b3d2-7e1a90c4f6e8"
        times = [base_ms * rng.lognormvariate(0.0, spread) for _ in range(n)] if n else []
        row = {
            "schema_version": 1, "run_id": self.run_id, "case_id": case_id, "family": family, "impl": impl,
            "variant": variant, "dtype": dtype, "params": params, "toolkit": toolkit, "gpu_index": 0,
            "gpu_uuid": uuid, "gpu_name": gpu, "status": "passed", "reason": "", "timing_mode": "events",
            "launches_per_sample": 1, "cache_mode": "cold", "stop_reason": "converged",
            "tolerance": 1e-5 if dtype in ("fp32", "tf32") else (1e-12 if dtype == "fp64" else 1e-2),
            "norm_rel_err": 2e-7 if dtype in ("fp32", "tf32") else (3e-15 if dtype == "fp64" else 4e-4),
            "max_abs_err": 1e-6, "max_rel_err": 1e-5, "nan_count": 0, "inf_count": 0, "unwritten_count": 0,
            "output_hash": "9e3779b97f4a7c15", "cubench_version": "0.1.0",
            "nvcc_version": {"11.8": "11.8.89", "12.4": "12.4.131", "12.8": "12.8.93", "13.0": "13.0.48"}[toolkit],
            "runtime_version": toolkit, "driver_version": self.driver, "driver_cuda_version": "13.0",
            "library": {"cublas": "cublas", "cublaslt": "cublasLt", "cusparse": "cusparse", "cudnn": "cudnn",
                        "im2col_cublas": "cublas"}.get(impl, ""),
            "compute_capability": "9.0" if gpu == H100 else "8.0", "sm_count": 132 if gpu == H100 else 108,
            "sm_clock_mhz": 1980 if gpu == H100 else 1410, "sm_clock_max_mhz": 1980 if gpu == H100 else 1410,
            "temperature_c": 61, "power_w": 455.5, "throttle_reasons": "", "clock_flag": 0,
            "module_loading": "LAZY", "timestamp": "2025-11-20T03:12:45Z",
        }
        library_versions = {"11.8": "11.11.3", "12.4": "12.4.5", "12.8": "12.8.4", "13.0": "13.0.2"}
        if row["library"]:
            row["library_built_version"] = row["library_loaded_version"] = library_versions[toolkit]
            row["library_path"] = "/usr/local/cuda-%s/lib64/lib%s.so" % (toolkit, row["library"])
        else:
            row["binary_kind"] = "sass"
            row["binary_arch"] = 90 if gpu == H100 else 80
            row["ptx_arch"] = 90 if gpu == H100 else 80
        if times:
            row.update(row_stats(times))
            row["first_call_ms"] = times[0] * 40
            row["flop"] = 2.0 * 4096 ** 3
            row["bytes"] = 3.0 * 4096 ** 2 * 4
            row["tflops"] = row["flop"] / row["median_ms"] / 1e9
            row["gbps"] = row["bytes"] / row["median_ms"] / 1e6
        row.update(fields)
        self.rows.append(row)
        for i, t in enumerate(times):
            self.samples.append([1, self.run_id, case_id, toolkit, uuid, i, fmt(t)])

    def write(self, names, with_samples=True):
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, "results.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(names)
            for row in self.rows:
                w.writerow([fmt(row.get(name)) for name in names])
        if with_samples:
            with open(os.path.join(self.directory, "samples.csv"), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["schema_version", "run_id", "case_id", "toolkit", "gpu_uuid", "sample_index", "time_ms"])
                w.writerows(self.samples)


def nightly(names):
    rng = random.Random(20251120)
    run = run_writer("runs/nightly", "nightly-2025-11-20", "580.82.07")
    big = "batch=1;k=4096;layout=NN;m=4096;n=4096"
    for toolkit in ("11.8", "12.4", "13.0"):
        # The same speed everywhere.
        run.case(rng, "gemm", "cublas", "gemm_ex", "fp32", big, toolkit, 1.912, 0.01)
        run.case(rng, "gemm", "cublas", "gemm_ex", "fp32", big, toolkit, 2.734, 0.01, gpu=A100)
        # 13.0 regresses by 8%.
        run.case(rng, "gemm", "cublaslt", "matmul", "bf16", big, toolkit, 0.641 * (1.08 if toolkit == "13.0" else 1),
                 0.008)
        # 12.4 and 13.0 gain 10%.
        run.case(rng, "gemm", "cublas", "strided_batched", "fp16", "batch=64;k=512;layout=NT;m=512;n=512", toolkit,
                 0.275 * (0.9 if toolkit != "11.8" else 1), 0.01)
        # Too noisy to tell a 1.5% change.
        run.case(rng, "spmm", "cusparse", "csr_alg2", "fp32", "density=0.01;k=256;matrix=rmat_20;n=256", toolkit,
                 0.0822 * (1.015 if toolkit == "13.0" else 1), 0.05)
        # Wrong on 13.0, with a reason that needs escaping in every format.
        wrong = toolkit == "13.0"
        run.case(rng, "conv", "cudnn", "implicit_gemm", "fp16", "c=256;h=56;k=256;n=32;r=3;s=3;w=56", toolkit, 0.933,
                 0.01, status="incorrect" if wrong else "passed",
                 reason='norm_rel_err 0.31 > tolerance 0.01, output "<script>alert(\'x\')</script>" & more'
                 if wrong else "",
                 norm_rel_err=0.31 if wrong else 4e-4, nan_count=12 if wrong else 0)
        # In-house kernel: 13.0 has no SASS for sm_90 and its output bits changed.
        run.case(rng, "gemm", "inhouse", "mma_sync_128x128", "fp16", "batch=1;k=2048;layout=NN;m=2048;n=2048",
                 toolkit, 0.412, 0.01, binary_kind="ptx_jit" if toolkit == "13.0" else "sass",
                 output_hash="3c6ef372fe94f82b" if toolkit == "13.0" else "9e3779b97f4a7c15")
        # The error grows tenfold on 12.4, still within tolerance.
        run.case(rng, "gemm", "cublas", "gemm_ex", "fp64", "batch=1;k=1024;layout=NN;m=1024;n=1024", toolkit, 3.71,
                 0.005, norm_rel_err=3e-14 if toolkit == "12.4" else 3e-15)
        # 12.4 loads an older cuSPARSE than it was built against.
        run.case(rng, "spmm", "cusparse", "csr_alg1", "fp64", "density=0.001;k=64;matrix=cage15;n=64", toolkit,
                 1.27, 0.01, **({"library_loaded_version": "12.3.4"} if toolkit == "12.4" else {}))
        # 13.0 crashes; the reason spans two lines.
        if toolkit == "13.0":
            run.case(rng, "conv", "im2col_cublas", "", "fp32", "c=64;h=224;k=64;n=8;r=7;s=7;w=224", toolkit, 0, 0,
                     n=0, status="crashed", reason="signal 11 (SIGSEGV)\nin cublasGemmEx, after 3 cases")
        else:
            run.case(rng, "conv", "im2col_cublas", "", "fp32", "c=64;h=224;k=64;n=8;r=7;s=7;w=224", toolkit, 5.02, 0.01)
        # 12.4 ran throttled.
        run.case(rng, "spmm", "cusparse", "coo", "fp32", "density=0.01;k=128;matrix=rmat_18;n=128", toolkit, 0.214,
                 0.01, **({"clock_flag": 1, "throttle_reasons": "sw_thermal|hw_slowdown", "sm_clock_mhz": 1515}
                          if toolkit == "12.4" else {}))
        # Only five samples: decided by interval overlap; 13.0 is 30% slower.
        run.case(rng, "gemm", "cublas", "gemm_ex", "tf32", "batch=1;k=16384;layout=NN;m=16384;n=16384", toolkit,
                 52.4 * (1.3 if toolkit == "13.0" else 1), 0.005, n=5, stop_reason="time_cap")
    # Only the baseline has int8; only 13.0 has a heuristic-chosen tf32 matmul.
    run.case(rng, "gemm", "cublas", "gemm_ex", "int8", big, "11.8", 0.297, 0.01)
    run.case(rng, "gemm", "cublaslt", "matmul_heuristic", "tf32", big, "13.0", 0.88, 0.01)
    run.write(names)


def older_host(names):
    rng = random.Random(20251121)
    # A second machine whose driver predates CUDA 12.8's minimum: minor-version compatibility.
    run = run_writer("runs/older-host", "older-host-2025-11-21", "560.35.03")
    big = "batch=1;k=4096;layout=NN;m=4096;n=4096"
    run.case(rng, "gemm", "cublas", "gemm_ex", "fp32", big, "12.8", 1.905, 0.01)
    run.case(rng, "gemm", "cublaslt", "matmul", "bf16", big, "12.8", 0.652, 0.008)
    run.write(names, with_samples=False)


def malformed(names):
    """One defect per file, each after a valid header and row, for tests/results_reader_test.cpp."""
    with open(os.path.join(HERE, "runs", "nightly", "results.csv"), newline="") as f:
        rows = list(csv.reader(f))[1:3]
    directory = os.path.join(HERE, "malformed")
    os.makedirs(directory, exist_ok=True)

    def write(name, header, body, raw_tail=""):
        with open(os.path.join(directory, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            if header is not None:
                w.writerow(header)
            w.writerows(body)
            f.write(raw_tail)

    def with_cell(row, column, value):
        changed = list(row)
        changed[names.index(column)] = value
        return changed

    write("missing_column.csv", [n for n in names if n != "median_ms"],
          [[c for i, c in enumerate(r) if names[i] != "median_ms"] for r in rows])
    write("extra_column.csv", names + ["comment"], [r + ["hand edited"] for r in rows])
    write("wrong_schema_version.csv", names, [rows[0], with_cell(rows[1], "schema_version", "2")])
    # A newer schema renames a column: the version in the rows is the error to report, not the header.
    write("newer_schema.csv", [("median_time_ms" if n == "median_ms" else n) for n in names],
          [with_cell(r, "schema_version", "3") for r in rows])
    write("bad_number.csv", names, [rows[0], with_cell(rows[1], "median_ms", "fast")])
    write("bad_status.csv", names, [with_cell(rows[0], "status", "great"), rows[1]])
    write("empty_case_id.csv", names, [rows[0], with_cell(rows[1], "case_id", "")])
    # The last line was cut short, as by a full disk or a killed writer.
    write("truncated_line.csv", names, [rows[0], rows[1][:20]])
    write("unterminated_quote.csv", names, [rows[0]], ",".join(rows[1][:13]) + ',"out of memory while\n')
    write("empty.csv", None, [])

    samples_header = ["schema_version", "run_id", "case_id", "toolkit", "gpu_uuid", "sample_index", "time_ms"]
    sample = ["1", "r", "gemm/cublas/gemm_ex/fp32/m=1", "12.4", "GPU-1"]
    write("samples_bad_time.csv", samples_header, [sample + ["0", "0.5"], sample + ["1", "-0.25"]])
    write("samples_bad_index.csv", samples_header, [sample + ["0", "0.5"], sample + ["one", "0.5"]])
    write("samples_duplicate_index.csv", samples_header,
          [sample + ["0", "0.5"], sample + ["2", "0.5"], sample + ["1", "0.5"], sample + ["2", "0.6"]])
    write("samples_missing_column.csv", samples_header[:5] + samples_header[6:],
          [sample + ["0.5"]])


if __name__ == "__main__":
    names = columns()
    nightly(names)
    older_host(names)
    malformed(names)
