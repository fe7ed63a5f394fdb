#!/usr/bin/python3
"""Expected wall time of `nimde reproduce --preset paper` on a given number of cores.

Lists the preset's runs and their expected costs (`nimde reproduce --preset paper --plan`),
converts costs to seconds with one reference time (by default README's benchmark on an idle
machine: one Adam iteration of pendulum, euler S = 2, 22.2 ms on one thread), scales to the
paper's 300,000 iterations, and schedules the runs as nimde does, longest first to whichever rank frees
up first (re-implemented here, independently of experiments/schedule.cpp). The analyses after
training (seconds to a minute a run) are left out. It also measures the CPU time of one
iteration on one thread for a sample of run kinds spread over the costs (`nimde train` at two
iteration counts, the difference removing start-up and data generation) and prints it beside
the reference's prediction: how well the cost model holds, and how much other work on this
machine inflates it (`--measured` schedules with the sample's median instead).

With more cores than runs, a rank gets several OpenMP threads; their speed-up is taken as the
2-thread one measured in README's benchmarks (22.2 ms -> 11.8 ms, 1.88x) compounded per doubling,
an assumption beyond 2 threads. The longest run bounds the wall time from below at any core count.

usage: /usr/bin/python3 bench/paper_walltime.py [--nimde build/bin/nimde] [--cores 1,2,16,128,512]
"""
import argparse
import heapq
import os
import re
import resource
import subprocess
import sys
import tempfile

ID = re.compile(r"^(?P<system>.+)_(?P<method>[^_]+)_T(?P<T>[^_]+)_S(?P<S>\d+)_seed(?P<seed>\d+)_[0-9a-f]{8}$")
TWO_THREAD_SPEEDUP = 22.2 / 11.8  # README, benchmarks: one Adam iteration, euler S = 2, 1 and 2 threads


def paper_runs(nimde):
    out = subprocess.run([nimde, "reproduce", "--preset", "paper", "--plan", "--ranks", "1"], check=True,
                         capture_output=True, text=True).stdout
    runs = []
    for line in out.splitlines():
        fields = line.split()
        if fields and ID.match(fields[0]):
            runs.append(dict(ID.match(fields[0]).groupdict(), cost=float(fields[1])))
    return runs


def cpu_seconds(command):
    """CPU time (user + system) of a child process running `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, OMP_NUM_THREADS="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def iteration_seconds(nimde, run, iters):
    """CPU seconds of one paper iteration of the run's kind on one thread."""
    times = []
    system, hnn, _ = run["system"].partition("-hnn")  # a Hamiltonian network's runs: "<system>-hnn"
    model = ["--model", "hnn"] if hnn else []
    for n in iters:
        with tempfile.TemporaryDirectory() as d:
            times.append(cpu_seconds([nimde, "train", "--system", system, *model, "--method", run["method"],
                                      "--T", run["T"], "--steps", run["S"], "--iters", str(n), "--threads", "1",
                                      "--seed", "0", "--out", d]))
    return (times[1] - times[0]) / (iters[1] - iters[0])


def lpt(costs, workers):
    """Wall time when each job, longest first, goes to the worker that frees up first."""
    free = [(0.0, w) for w in range(workers)]
    for c in sorted(costs, reverse=True):
        t, w = heapq.heappop(free)
        heapq.heappush(free, (t + c, w))
    return max(t for t, _ in free)


def hours(s):
    return f"{s / 3600:.1f} h" if s >= 3600 else f"{s / 60:.0f} min"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nimde", default="build/bin/nimde")
    p.add_argument("--cores", default="1,2,16,128,512")
    p.add_argument("--iters", default="5,25", help="the two iteration counts whose difference is timed")
    p.add_argument("--sample", type=int, default=7, help="run kinds to time, spread over the costs (0: none)")
    p.add_argument("--paper-iterations", type=int, default=300000)
    p.add_argument("--reference-ms", type=float, default=22.2,
                   help="ms of one iteration of pendulum euler S = 2 on one thread (README's benchmark)")
    p.add_argument("--measured", action="store_true", help="schedule with the measured sample instead")
    p.add_argument("--max-threads", type=int, default=4, help="threads per rank to consider")
    a = p.parse_args()
    iters = [int(x) for x in a.iters.split(",")]
    runs = paper_runs(a.nimde)
    kinds = {}
    for r in runs:
        kinds.setdefault((r["system"], r["method"], r["T"], r["S"]), r)
    by_cost = sorted(kinds.values(), key=lambda r: r["cost"])
    picks = sorted({round(k * (len(by_cost) - 1) / (a.sample - 1)) for k in range(a.sample)}) if a.sample > 1 else []
    print(f"{len(runs)} runs of {len(kinds)} kinds; one paper iteration on one thread (CPU time):", file=sys.stderr)
    ratios = []
    for k in picks:
        r = by_cost[k]
        per_iteration = iteration_seconds(a.nimde, r, iters)
        ratios.append(per_iteration * a.paper_iterations / r["cost"])
        print(f"  {r['system']:18s} {r['method']:10s} T {r['T']:5s} S {r['S']:3s} {per_iteration * 1e3:8.2f} ms"
              f"   seconds per unit of cost {ratios[-1]:.4g}", file=sys.stderr)
    reference = next(r for r in runs if (r["system"], r["method"], r["S"]) == ("pendulum", "euler", "2"))
    reference_rate = a.reference_ms * 1e-3 * a.paper_iterations / reference["cost"]
    for ratio in ratios:
        print(f"  measured / reference prediction {ratio / reference_rate:.2f}", file=sys.stderr)
    rate = sorted(ratios)[len(ratios) // 2] if a.measured and ratios else reference_rate
    seconds = [r["cost"] * rate for r in runs]
    total, longest = sum(seconds), max(seconds)
    print(f"\nruns {len(runs)}, all runs {total / 3600:.0f} core-hours, longest run {hours(longest)}, "
          f"median {hours(sorted(seconds)[len(seconds) // 2])}\n")
    print("| cores | 1 thread per rank: wall time | lower bound | ranks x threads | wall time | lower bound |")
    print("|---|---|---|---|---|---|")
    for cores in (int(c) for c in a.cores.split(",")):
        rows = []
        threads = 1
        while threads <= min(cores, a.max_threads):
            speedup = TWO_THREAD_SPEEDUP ** (threads.bit_length() - 1)
            ranks = cores // threads
            wall = lpt([s / speedup for s in seconds], ranks)
            bound = max(longest / speedup, total / (ranks * speedup))
            rows.append((wall, ranks, threads, bound))
            threads *= 2
        one = rows[0]
        best = min(rows, key=lambda r: r[0])
        print(f"| {cores} | {hours(one[0])} | {hours(one[3])} | {best[1]} x {best[2]} | {hours(best[0])} | {hours(best[3])} |")

if __name__ == "__main__":
    main()
