"""A/B: this tree's ``archkb check-links`` against another commit's, interleaved, on the even farm.

Run from the project root, with the virtualenv active::

    python bench/linkcheck/ab.py REV [--rounds 9]

It checks REV out into a temporary git worktree, byte-compiles both trees (where
``PYTHONDONTWRITEBYTECODE`` is set, as on this machine, an uncompiled tree would pay for compiling
every module on every run), starts the bench server and writes the farm as ``run.py`` does, then
runs the two trees' ``archkb check-links`` in turn, ``--rounds`` times each, alternating which goes
first, each with an empty cache. It prints the medians of the wall time, start-up, network phase
and finishing. A change measured this way is only as good as the rounds' spread, which it prints
too: on a shared machine, a few per cent.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import HERE, HOSTS, OUT, PROJECT, free_port, generate_site, timed


def _trees(rev: str, scratch: Path) -> dict[str, Path]:
    other = scratch / "other"
    subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", "-q", str(other), rev], check=True)
    trees = {rev: other, "this tree": PROJECT}
    for tree in trees.values():
        compileall.compile_dir(str(tree / "plugins" / "archkb"), quiet=1)
    return trees


def main() -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the commit to compare this tree with")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    archkb = str(Path(sys.executable).parent / "archkb")
    OUT.mkdir(parents=True, exist_ok=True)
    port, control_port = free_port(), free_port()
    site = OUT / "site"
    generate_site(site, port, skewed=False, nohead=False, scheme="http")
    with tempfile.TemporaryDirectory() as scratch:
        trees = _trees(args.rev, Path(scratch))
        server = subprocess.Popen(
            [sys.executable, str(HERE / "server.py"), "--port", str(port), "--control", str(control_port)]
            + ["--hosts", str(HOSTS), "--delay", "0.05"],
            stdout=subprocess.PIPE,
            text=True,
        )
        runs: dict[str, list[dict]] = {name: [] for name in trees}
        try:
            if server.stdout is None or server.stdout.readline().strip() != "ready":
                raise SystemExit("the bench server did not start")
            cache = OUT / "ab-cache.json"
            for round_ in range(args.rounds):
                order = list(trees.items()) if round_ % 2 == 0 else list(trees.items())[::-1]
                for name, tree in order:
                    cache.unlink(missing_ok=True)
                    command = ["env", f"PYTHONPATH={tree / 'plugins'}", archkb, "check-links", str(site)]
                    command += ["--root", str(OUT), "--allow-private", "--cache", str(cache), "--format", "json"]
                    command += ["--output", str(OUT / "ab.json")]
                    run = timed(command, control_port)
                    if run["exit"] != 2 or run["requests"] == 0:
                        raise SystemExit(f"{name}: exit {run['exit']}, {run['requests']} requests\n{run['stderr']}")
                    runs[name].append(run)
        finally:
            server.terminate()
            server.wait()
            subprocess.run(
                ["git", "-C", str(PROJECT), "worktree", "remove", "--force", str(trees[args.rev])], check=False
            )
    print(f"{args.rounds} interleaved rounds each, medians in seconds (load average {os.getloadavg()[0]:.1f})")
    print("| tree | wall | rounds (spread) | start-up | network phase | finishing |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for name, measured in runs.items():
        walls = [r["seconds"] for r in measured]
        med = {k: statistics.median(r[k] for r in measured) for k in ("lead", "span", "tail")}
        print(
            f"| {name} | {statistics.median(walls):.3f} | {min(walls):.2f}-{max(walls):.2f} | {med['lead']:.3f} "
            f"| {med['span']:.3f} | {med['tail']:.3f} |"
        )


if __name__ == "__main__":
    main()
