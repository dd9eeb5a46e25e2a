"""Start-up of a one-document `newsclean clean`, against baselines measured in the same run.

Each round runs, in turn: bare `python -c pass`, `python -c "import typer"` (the CLI framework every command
needs), and `newsclean clean one.txt -o OUT -q` on a small news article made here (several paragraphs, a share
line, a repeated headline: every stage has work). The command runs this checkout's code (PYTHONPATH), not an
installed one. Rounds alternate the three, so a machine that gets busier slows all of them alike; the figures are
medians over rounds, wall and CPU (user + system of the child), with the ratio to each baseline.

The checked-rules cache (`cleaner.rules.cache`) lives in a directory of this run (NEWSCLEAN_CACHE_DIR): the
"warm" figure is the steady state a user sees from the second run on; the "cold" one runs with an empty cache
each time (every rule compiled and every example run, as on a first run).

Bytecode: an installed package has its .pyc files (pip writes them). The runs here write and read theirs under a
directory of this run (PYTHONPYCACHEPREFIX), whatever PYTHONDONTWRITEBYTECODE says, so the checkout is left as it
was. The "no .pyc" figure keeps the caller's environment instead: where PYTHONDONTWRITEBYTECODE is set (as in this
project's sandbox) and the checkout has no __pycache__, Python compiles every newsclean module from source on
every run, which costs ~0.2 s more.

    python bench/bench_startup.py [--rounds 15] [--no-cold] [--compare OTHER_CHECKOUT]

`--compare` times another checkout's `clean` in the same rounds (e.g. main, for a before/after figure).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = """\
Parliament approves new budget after a long debate
Share this article on Facebook
The parliament approved the new budget on Monday after a debate that lasted two days.
Members of the opposition said the spending plan did not do enough for schools and hospitals in the regions.
The finance minister said the budget would cut the deficit to three percent of output by next year.
Parliament approves new budget after a long debate
Analysts said the vote showed that the governing coalition still held a working majority in the chamber.
Follow us on Twitter
"""

CLEAN = "import sys; sys.argv = ['newsclean', *sys.argv[1:]]; from cleaner.cli import main; main()"


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else b""
    if process.returncode != 0:
        raise SystemExit(f"{argv[2][:40]}... failed ({process.returncode}): {stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-cold", action="store_true", help="skip the empty-cache figure")
    parser.add_argument("--compare", type=Path, help="another checkout to time in the same rounds")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="newsclean-startup-") as tmp:
        work = Path(tmp)
        (work / "one.txt").write_text(ARTICLE, encoding="utf-8")
        as_given = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSCLEAN_CACHE_DIR": str(work / "cache")}
        env = {k: v for k, v in as_given.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
        clean = [python, "-c", CLEAN, "clean", str(work / "one.txt"), "-o", str(work / "out.txt"), "-q"]
        commands = {
            "python -c pass": ([python, "-c", "pass"], env),
            "python -c 'import typer'": ([python, "-c", "import typer"], env),
            "clean one.txt (warm cache)": (clean, env),
        }
        if not args.no_cold:
            cold_env = {**env, "NEWSCLEAN_CACHE_DIR": str(work / "cold")}
            commands["clean one.txt (cold cache)"] = (clean, cold_env)
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            commands["clean one.txt (warm, no .pyc)"] = (clean, as_given)
        if args.compare is not None:
            other = str(args.compare.resolve())
            commands[f"{args.compare.name}: clean one.txt"] = (clean, {**env, "PYTHONPATH": other})
            if os.environ.get("PYTHONDONTWRITEBYTECODE"):
                commands[f"{args.compare.name}: clean (no .pyc)"] = (clean, {**as_given, "PYTHONPATH": other})
        for argv, run_env in commands.values():  # warm the page cache, the .pyc files and the examples cache
            _run(argv, run_env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (argv, run_env) in commands.items():
                if name.endswith("(cold cache)"):
                    shutil.rmtree(work / "cold", ignore_errors=True)
                wall, cpu = _run(argv, run_env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        expected = subprocess.run(
            [python, "-c", CLEAN, "clean", str(work / "one.txt")], env=env, capture_output=True, text=True, check=True
        ).stdout
        if (work / "out.txt").read_text(encoding="utf-8") != expected:
            raise SystemExit("the timed runs and a run to stdout disagree")
    wall = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    bare, typer = "python -c pass", "python -c 'import typer'"
    version = sys.version.split()[0]
    print(f"start-up, {args.rounds} alternating rounds, medians (python {version}, {os.cpu_count()} CPUs)")
    print(f"{'command':32} {'wall s':>7} {'cpu s':>7} {'wall/typer':>11} {'wall-typer':>11} {'wall/pass':>10}")
    for name in commands:
        print(
            f"{name:32} {wall[name]:7.3f} {cpu[name]:7.3f} {wall[name] / wall[typer]:10.2f}x "
            f"{wall[name] - wall[typer]:10.3f}s {wall[name] / wall[bare]:9.1f}x"
        )


if __name__ == "__main__":
    main()
