#!/usr/bin/env python3
"""Side-by-side timing of one training iteration: PyTorch (eager, CPU) against nimde-bench.

The case is the benchmark train_step/pendulum/<method>/S<S>/<dtype>/omp<threads> of
bench/bench_nn.cpp, rebuilt in PyTorch: the field 2 -> 128 -> 128 -> 2 (tanh on the two hidden
layers, identity output, orthogonal weights, zero biases), 10,000 points drawn uniformly from
the pendulum domain p in [-3.8, 3.8], q in [-1.2, 1.2], targets the exact flow over T = 0.04 of
p' = -10 sin q, q' = p, and the model integrated with S steps of euler, explicit midpoint or
classical rk4 (h = T/S). One iteration is zero_grad, the forward pass through the S steps, the
mean squared error, backward and an Adam step (lr 0.01).

For every repetition and every (case, threads) the script times PyTorch (a few warm-up
iterations, then --iters timed ones) and then runs nimde-bench on the same case, so the two
alternate and share whatever load the machine has. It reports medians over the repetitions,
the GFLOP/s of both (the benchmark's own FLOP count), our fraction of the measured fp32 FMA peak
(peak/fma/f32/omp<threads>, run once at the start) and the 2-thread over 1-thread speed-up.
The table is printed and written into --out between the markers
<!-- compare_torch:begin --> and <!-- compare_torch:end -->.

With --model hnn the case is a Hamiltonian network instead (train_step/pendulum-hnn/...): the
network 2 -> 128 -> 128 -> 1 is H, the field J^-1 grad H is taken with
torch.autograd.grad(..., create_graph=True) and differentiated again by backward; the methods
are euler and implicit midpoint (its stage iterated 8 times after a first evaluation, as on
nimde's tape). Its table goes between <!-- compare_torch_hnn:begin --> and
<!-- compare_torch_hnn:end -->.

With --memory the script measures memory instead of time: the peak resident set size of a whole
process doing a few (MEMORY_ITERS) training iterations of pendulum euler S=<S> on N points (the
field above, --dtype), each in a fresh process of its own: PyTorch (this script's hidden
sub-command, one thread, OpenBLAS on one thread) and `nimde train --threads 1` twice, with
--backprop taped and with --backprop recompute. The peak is the child's ru_maxrss as wait4
returns it for that one child (RUSAGE_CHILDREN would carry the largest earlier child over).
A child's ru_maxrss also counts the peak of the process it was started from, so this parent
never imports torch; a reading not above the parent's own peak is refused. The cost per point
and unrolled step is the slope (peak(N, S) - peak(BASELINE_POINTS, S)) / ((N - BASELINE_POINTS) S)
against the same process at BASELINE_POINTS points and the same S, which removes what does not
grow with the data (the program, its libraries, PyTorch's import, the test set). Cases are
--memory-cases N:S (N > BASELINE_POINTS); the table goes between
<!-- compare_torch_memory:begin --> and <!-- compare_torch_memory:end -->.

With --scaling [N:W:S,...] the script measures how one Adam iteration of pendulum euler f32 on
the network 2 -> W -> W -> 2 tanh scales with the points N, the width W and the unrolled steps S:
for every case, thread count and repetition, three processes of their own, PyTorch (this
script's hidden sub-command, timed as above with the thread splits) and nimde-bench's
scaling/N<N>/W<W>/S<S>/<taped|recompute>/omp<t> (registered through NIMDE_BENCH_SCALING), each
giving its time per iteration and its peak resident set size (ru_maxrss from wait4, as with
--memory; this parent never imports torch or matplotlib before the children have run). The
table has time, GFLOP/s, % of peak/fma/f32/omp<t> and peak MB of the three, then the log-log
slopes fitted along every axis that has two or more sizes; a case a process would need more than
--memory-limit GB for (a rough estimate) is skipped and named. It goes between
<!-- compare_torch_scaling:begin --> and <!-- compare_torch_scaling:end -->, and --plot
(bench/scaling.png) gets time and memory against N and S, log-log. --quick is the smoke
version (three small cases, one thread, one repetition).

Run from the repository root after building:

    python3 bench/compare_torch.py --threads 1,2 --reps 5
    python3 bench/compare_torch.py --memory --memory-cases 100000:2,100000:8,100000:64
    python3 bench/compare_torch.py --scaling          # 18 minutes on the 2 cores, shared
    python3 bench/compare_torch.py --scaling --quick  # well under a minute

PyTorch comes from Debian's python3-torch (/usr/bin/python3); started with another python3
that lacks torch, the script re-runs itself with /usr/bin/python3.
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

torch = None  # imported in main(), possibly after re-running under /usr/bin/python3

SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_GUARD = "NIMDE_COMPARE_TORCH_REEXEC"
NO_TORCH = "PyTorch (Debian python3-torch) is not installed; nothing compared"

SCRIPT = os.path.abspath(__file__)
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT))

MARKERS = {"node": ("<!-- compare_torch:begin -->", "<!-- compare_torch:end -->", "## Side by side with PyTorch"),
           "hnn": ("<!-- compare_torch_hnn:begin -->", "<!-- compare_torch_hnn:end -->",
                   "## Hamiltonian networks side by side with PyTorch"),
           "memory": ("<!-- compare_torch_memory:begin -->", "<!-- compare_torch_memory:end -->",
                      "## Peak memory side by side with PyTorch"),
           "scaling": ("<!-- compare_torch_scaling:begin -->", "<!-- compare_torch_scaling:end -->",
                       "## Scaling with points, width and steps, side by side with PyTorch")}

# The benchmark's setup (bench/bench_nn.cpp, ode/systems.cpp: pendulum).
POINTS = 10000
DIM = 2
WIDTH = 128
T_FINAL = 0.04
DOMAIN = ((-3.8, 3.8), (-1.2, 1.2))  # columns p, q
LEARNING_RATE = 0.01
STAGES = {"euler": 1, "midpoint": 2, "rk4": 4}
# Field evaluations per step of the methods a Hamiltonian network is timed with: implicit
# midpoint evaluates f(y), then iterates k <- f(y + h/2 k) 8 times (ode/method.hpp, taped_iterations).
TAPED_ITERATIONS = 8
HNN_STAGES = {"euler": 1, "implicit-midpoint": 1 + TAPED_ITERATIONS}
WARMUP_ITERS = 3
BENCH_MIN_TIME = "2"  # seconds; Google Benchmark 1.7 takes a plain number
TIME_UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
# --memory: training iterations per process, the points of the baseline process, the test set
# nimde train evaluates (it must have one), and the hidden sub-command of the PyTorch child.
MEMORY_ITERS = 3
BASELINE_POINTS = 1000
MEMORY_TEST_POINTS = 100
MEMORY_CHILD = "_torch-memory-child"


def fail(message):
    """One-line error on stderr, exit status 2."""
    print(f"compare_torch: {message}", file=sys.stderr)
    sys.exit(2)


def note(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- options


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + error
        fail(message)


def positive_int(text, what="value"):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{what} must be a positive integer, got '{text}'")
    return value


def parse_threads(text):
    items = [s.strip() for s in text.split(",")]
    threads = [positive_int(s, "entry") for s in items]
    if len(set(threads)) != len(threads):
        raise argparse.ArgumentTypeError(f"--threads has repeated entries: '{text}'")
    return threads


def parse_cases(text):
    cases = []
    methods = {**STAGES, **HNN_STAGES}
    for item in (s.strip() for s in text.split(",")):
        method, sep, steps = item.partition(":")
        if not sep or method not in methods:
            raise argparse.ArgumentTypeError(
                f"bad case '{item}' (expected <method>:<steps>, method one of {', '.join(methods)})")
        cases.append((method, positive_int(steps, f"steps of case '{item}'")))
    if len(set(cases)) != len(cases):
        raise argparse.ArgumentTypeError(f"--cases has repeated entries: '{text}'")
    return cases


def parse_memory_cases(text):
    cases = []
    for item in (s.strip() for s in text.split(",")):
        points, sep, steps = item.partition(":")
        if not sep:
            raise argparse.ArgumentTypeError(f"bad case '{item}' (expected <points>:<steps>)")
        case = (positive_int(points, f"points of case '{item}'"), positive_int(steps, f"steps of case '{item}'"))
        if case[0] <= BASELINE_POINTS:
            raise argparse.ArgumentTypeError(
                f"case '{item}' needs more points than the baseline's {BASELINE_POINTS}")
        cases.append(case)
    if len(set(cases)) != len(cases):
        raise argparse.ArgumentTypeError(f"--memory-cases has repeated entries: '{text}'")
    return cases


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got '{text}'")
    return text


def parse_args(argv):
    p = Parser(description="Time one training iteration in PyTorch and in nimde-bench, side by side.")
    p.add_argument("--bench", default=os.path.join(REPO_ROOT, "build", "bin", "nimde-bench"),
                   help="the benchmark program (default: build/bin/nimde-bench)")
    p.add_argument("--threads", type=parse_threads, default=None,
                   help="thread counts, e.g. 1,2 (default 1,2; with --scaling --quick 1)")
    p.add_argument("--reps", type=positive_int, default=None,
                   help=f"repetitions (medians; default 5, with --scaling {SCALING_REPS}, with --quick 1)")
    p.add_argument("--iters", type=positive_int, default=20,
                   help="timed PyTorch iterations per repetition, after warm-up")
    p.add_argument("--out", default=os.path.join(REPO_ROOT, "bench", "RESULTS.md"),
                   help="Markdown file receiving the table (default: bench/RESULTS.md)")
    p.add_argument("--model", choices=["node", "hnn"], default="node",
                   help="node: the network is the field; hnn: a Hamiltonian network (gradients of gradients)")
    p.add_argument("--cases", type=parse_cases, default=None,
                   help="<method>:<steps> list (default: euler:2,midpoint:1,rk4:1; with --model hnn "
                        "euler:1,implicit-midpoint:1)")
    p.add_argument("--dtype", choices=["f32", "f64"], default="f32", help="floating-point type")
    p.add_argument("--min-time", type=positive_float, default=None,
                   help=f"nimde-bench's --benchmark_min_time per timing, seconds (default {BENCH_MIN_TIME}; with "
                        f"--scaling {SCALING_MIN_TIME}, with --quick {SCALING_QUICK_MIN_TIME}, PyTorch's too)")
    p.add_argument("--verbose", action="store_true", help="print PyTorch's first and last loss of every timing")
    p.add_argument("--memory", action="store_true",
                   help="measure the peak resident memory of whole processes instead of time")
    p.add_argument("--memory-cases", type=parse_memory_cases, default=parse_memory_cases("100000:2,100000:8,100000:64"),
                   help=f"with --memory: <points>:<steps> list of euler cases, points > {BASELINE_POINTS} "
                        "(default 100000:2,100000:8,100000:64)")
    p.add_argument("--nimde", default=os.path.join(REPO_ROOT, "build", "bin", "nimde"),
                   help="with --memory: the command-line program (default: build/bin/nimde)")
    p.add_argument("--scaling", nargs="?", type=parse_scaling_cases, const=SCALING_DEFAULT,
                   default=None, metavar="N:W:S,...",
                   help="time and peak memory of one iteration (pendulum euler f32, 2 -> W -> W -> 2) at "
                        f"<points>:<width>:<steps> cases, each in its own process (default {SCALING_CASES})")
    p.add_argument("--quick", action="store_true",
                   help=f"with --scaling: the smoke run {SCALING_QUICK_CASES} on 1 thread, 1 repetition, "
                        f"min time {SCALING_QUICK_MIN_TIME} s (each unless given)")
    p.add_argument("--plot", default=SCALING_PLOT, help="with --scaling: the PNG (default bench/scaling.png)")
    p.add_argument("--memory-limit", type=float, default=SCALING_MEMORY_LIMIT_GB, metavar="GB",
                   help=f"with --scaling: skip a process estimated to hold more (default {SCALING_MEMORY_LIMIT_GB:g})")
    args = p.parse_args(argv)
    scaling_given = args.scaling is not None
    for given, option in ((args.quick, "--quick"), (args.plot != SCALING_PLOT, "--plot"),
                          (args.memory_limit != SCALING_MEMORY_LIMIT_GB, "--memory-limit")):
        if given and not scaling_given:
            fail(f"{option} goes with --scaling")
    if scaling_given and (args.memory or args.model != "node" or args.cases is not None or args.dtype != "f32"):
        fail("--scaling times pendulum euler f32 Neural ODE cases of its own (drop --memory, --model, --cases, --dtype)")
    if not args.memory_limit > 0:
        fail(f"--memory-limit must be a positive number of GB, got '{args.memory_limit:g}'")
    if args.scaling is SCALING_DEFAULT:  # --scaling without cases
        args.scaling = parse_scaling_cases(SCALING_QUICK_CASES if args.quick else SCALING_CASES)
    if args.threads is None:
        args.threads = [1] if args.quick else [1, 2]
    if args.reps is None:
        args.reps = 1 if args.quick else SCALING_REPS if scaling_given else 5
    if args.min_time is None:
        args.min_time = SCALING_QUICK_MIN_TIME if args.quick else SCALING_MIN_TIME if scaling_given else BENCH_MIN_TIME
    if args.memory and args.model != "node":
        fail("--memory measures Neural ODE training only (drop --model hnn)")
    stages = HNN_STAGES if args.model == "hnn" else STAGES
    if args.cases is None:
        args.cases = parse_cases("euler:1,implicit-midpoint:1" if args.model == "hnn" else "euler:2,midpoint:1,rk4:1")
    for method, _ in args.cases:
        if method not in stages:
            fail(f"--cases: method '{method}' is not timed for --model {args.model} (use {', '.join(stages)})")
    return args


# --------------------------------------------------------------------------- PyTorch


def require_torch_interpreter():
    """Make sure this interpreter can import torch, without importing it (its memory would count
    in every child's peak): re-run under /usr/bin/python3 if it cannot, say so and exit 0 if none can."""
    if importlib.util.find_spec("torch") is not None:
        return
    if (sys.executable != SYSTEM_PYTHON and os.path.exists(SYSTEM_PYTHON)
            and os.environ.get(REEXEC_GUARD) != "1"):
        note(f"compare_torch: no torch in {sys.executable}; re-running with {SYSTEM_PYTHON}")
        os.environ[REEXEC_GUARD] = "1"
        # fork, then exec in the child, rather than exec here: an exec keeps this process's peak
        # resident set (compiling this file, this interpreter's imports) as the new program's
        # ru_maxrss, and so as the floor under every child --memory and --scaling measure; a
        # forked child starts from this process's current set, which is smaller.
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, SCRIPT] + sys.argv[1:])
            finally:
                os._exit(127)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
    print(NO_TORCH)
    sys.exit(0)


def import_torch():
    """Import torch, re-running under /usr/bin/python3 if this interpreter lacks it."""
    require_torch_interpreter()
    import torch
    # Subnormals flushed to zero, as nimde's training flushes them, before any computation starts
    # the threads that inherit the mode: the implicit method's gradients decay into that range,
    # where each operation costs Intel cores a microcode assist.
    torch.set_flush_denormal(True)
    return torch


def pendulum(y):
    """p' = -10 sin q, q' = p for rows (p, q)."""
    return torch.stack((-10.0 * torch.sin(y[:, 1]), y[:, 0]), dim=1)


def rk4_step(f, y, h):
    k1 = f(y)
    k2 = f(y + (h / 2) * k1)
    k3 = f(y + (h / 2) * k2)
    k4 = f(y + h * k3)
    return y + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)


def step(method, f, y, h):
    if method == "euler":
        return y + h * f(y)
    if method == "midpoint":
        return y + h * f(y + (h / 2) * f(y))
    if method == "implicit-midpoint":
        k = f(y)
        for _ in range(TAPED_ITERATIONS):
            k = f(y + (h / 2) * k)
        return y + h * k
    return rk4_step(f, y, h)


def hamiltonian_field(network):
    """J^-1 grad H for rows (p, q): (-dH/dq, dH/dp), with the graph kept for a second backward."""
    def f(y):
        if not y.requires_grad:
            y = y.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(network(y).sum(), y, create_graph=True)
        return torch.stack((-g[:, 1], g[:, 0]), dim=1)
    return f


def make_data(seed=1, points=POINTS):
    """x uniform in the domain, y the flow over T (10 rk4 steps in float64; error ~1e-12)."""
    gen = torch.Generator().manual_seed(seed)
    lo = torch.tensor([d[0] for d in DOMAIN], dtype=torch.float64)
    hi = torch.tensor([d[1] for d in DOMAIN], dtype=torch.float64)
    x = lo + (hi - lo) * torch.rand(points, DIM, generator=gen, dtype=torch.float64)
    y = x.clone()
    substeps = 10
    for _ in range(substeps):
        y = rk4_step(pendulum, y, T_FINAL / substeps)
    return x, y


def make_model(dtype, outputs=DIM, width=WIDTH):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(DIM, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(),
                          nn.Linear(width, outputs)).to(dtype)
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                nn.init.orthogonal_(layer.weight)
                nn.init.zeros_(layer.bias)
    return model


class Blas:
    """The BLAS PyTorch's CPU matrix products go through, and its own thread count.

    Debian's PyTorch runs intra-op work on its OpenMP threads (torch.set_num_threads) but hands
    matrix products to OpenBLAS, which keeps a thread pool of its own (all cores by default).
    At a budget of t cores PyTorch is timed in every split of them between the two that stays
    within t, and its best time is reported.
    """

    def __init__(self):
        self.label, self.reference = blas_backend()
        self._set = None
        path = self.label.partition("(")[2].rstrip(")")
        if "OpenBLAS" in self.label and path:
            try:
                import ctypes
                self._set = ctypes.CDLL(path).openblas_set_num_threads
            except (OSError, AttributeError):
                self._set = None

    def splits(self, t):
        """(torch threads, BLAS threads) pairs within a budget of t cores."""
        if self._set is None:
            return [(t, None)]
        return sorted({(t, 1), (1, t)} if t > 1 else {(1, 1)})

    def set_threads(self, n):
        if self._set is not None and n is not None:
            self._set(int(n))


def blas_backend():
    """(short description, reference?) of the BLAS PyTorch's CPU matrix products go through.

    Debian's python3-torch is built against the generic libblas.so.3, which resolves through
    update-alternatives (or LD_LIBRARY_PATH) to the reference BLAS unless an optimised one
    such as libopenblas0-pthread is installed; this dominates PyTorch's time here.
    """
    if torch.backends.mkl.is_available():
        return "MKL", False
    torch.ones(8, 8) @ torch.ones(8, 8)  # make sure the library is loaded
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path).lower()
                if path.startswith("/") and ("blas" in name or "blis" in name or name.startswith("libmkl_")):
                    paths.add(os.path.realpath(path))
    except OSError:
        return "unknown", False
    for key, label in (("openblas", "OpenBLAS"), ("blis", "BLIS"), ("libmkl_", "MKL")):
        found = sorted(p for p in paths if key in p.lower())
        if found:
            return f"{label} ({found[0]})", False
    if paths:
        return f"reference BLAS ({sorted(paths)[0]})", True
    return "unknown", False


def torch_dtype(name):
    return torch.float32 if name == "f32" else torch.float64


def make_iteration(model_kind, method, steps, dtype, data, width=WIDTH):
    """One training iteration of a fresh model on data: zero_grad, S steps, mse, backward, Adam."""
    x, y = (t.to(torch_dtype(dtype)) for t in data)
    model = make_model(torch_dtype(dtype), 1 if model_kind == "hnn" else DIM, width)
    field = hamiltonian_field(model) if model_kind == "hnn" else model
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    h = T_FINAL / steps

    def iteration():
        opt.zero_grad(set_to_none=True)
        pred = x
        for _ in range(steps):
            pred = step(method, field, pred, h)
        loss = torch.mean((pred - y) ** 2)
        loss.backward()
        opt.step()
        return loss

    return iteration


def time_torch(model_kind, method, steps, dtype, threads, iters, data, verbose, blas=None, blas_threads=None,
               width=WIDTH, min_time=None):
    """ms per iteration of one (case, threads) in PyTorch: a fresh model, warm-up, then iters timed.

    With min_time (seconds) the count adapts to the case's size: the warm-up is the first
    iteration alone when that took min_time or more, and the timing stops once min_time has
    passed (after at least one iteration, at most iters)."""
    torch.set_num_threads(threads)
    if blas is not None:
        blas.set_threads(blas_threads)
    iteration = make_iteration(model_kind, method, steps, dtype, data, width)
    start = time.perf_counter()
    first = iteration().item()
    long_first = min_time is not None and time.perf_counter() - start >= float(min_time)
    for _ in range(0 if long_first else WARMUP_ITERS - 1):
        iteration()
    start = time.perf_counter()
    done = 0
    while done < iters:
        loss = iteration()
        done += 1
        if min_time is not None and time.perf_counter() - start >= float(min_time):
            break
    elapsed = time.perf_counter() - start
    if verbose:
        warmup = 1 if long_first else WARMUP_ITERS
        note(f"  torch {method} S={steps} {dtype} threads={threads} blas={blas_threads}: initial loss {first:.6g}, "
             f"after {warmup + done} iterations {loss.item():.6g}")
    return 1e3 * elapsed / done


# --------------------------------------------------------------------------- nimde-bench


def run_benchmark(bench, name, threads, min_time=None):
    """Run one benchmark of nimde-bench; returns (ms per iteration, GFLOP/s counter)."""
    # Benchmarks registered with UseRealTime() carry a "/real_time" suffix in their full name.
    cmd = [bench, f"--benchmark_filter=^{name}(/real_time)?$", "--benchmark_format=json"]
    if min_time is not None:
        cmd.append(f"--benchmark_min_time={min_time}")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    for key in KEEP_FREED_MEMORY:  # glibc's defaults for nimde: it reuses its buffers anyway
        env.pop(key, None)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        fail(f"{bench} failed on benchmark '{name}' (exit {proc.returncode}): {tail}")
    run = benchmark_run(bench, name, proc.stdout)
    ms = run["real_time"] * TIME_UNIT_MS[run.get("time_unit", "ns")]
    return ms, run.get("GFLOP/s", float("nan"))


def benchmark_run(bench, name, stdout):
    """The one iteration run of benchmark `name` in nimde-bench's JSON output (a dict)."""
    try:
        runs = json.loads(stdout)["benchmarks"] if stdout.strip() else []
    except (json.JSONDecodeError, KeyError):
        fail(f"{bench} gave unreadable JSON for benchmark '{name}'")
    runs = [r for r in runs if r.get("run_type", "iteration") == "iteration"]
    if not runs:
        fail(f"benchmark '{name}' matches nothing in {bench}")
    run = runs[0]
    if "error_message" in run:
        fail(f"benchmark '{name}' reported an error: {run['error_message']}")
    return run


def check_benchmarks(bench, names):
    """Fail early, before any timing, on a name the program does not have."""
    proc = subprocess.run([bench, "--benchmark_list_tests"], capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{bench} --benchmark_list_tests failed (exit {proc.returncode})")
    known = {line.strip().removesuffix("/real_time") for line in proc.stdout.splitlines()}
    for name in names:
        if name not in known:
            fail(f"benchmark '{name}' matches nothing in {bench}")


def train_step_name(method, steps, dtype, threads, model_kind="node"):
    system = "pendulum-hnn" if model_kind == "hnn" else "pendulum"
    return f"train_step/{system}/{method}/S{steps}/{dtype}/omp{threads}"


# --------------------------------------------------------------------------- measurement


def flops_per_iteration(method, steps, model_kind="node", points=POINTS, width=WIDTH):
    """The benchmark's count (bench/scaling.hpp, field_flops): three GEMMs per dense layer and
    field evaluation, forward + backward; a Hamiltonian network's field is a forward and a
    recorded backward pass (2 -> w -> w -> 1), both differentiated: twice as many."""
    if model_kind == "hnn":
        field = 6 * 2 * points * (DIM * width + width * width + width)
        return field * steps * HNN_STAGES[method]
    field = 3 * 2 * points * (DIM * width + width * width + width * DIM)
    return field * steps * STAGES[method]


def time_torch_best(model_kind, method, steps, dtype, t, iters, data, verbose, blas, width=WIDTH, min_time=None):
    """PyTorch's best ms per iteration over the splits of t cores; (ms, "torch a + BLAS b")."""
    best = None
    for a, b in blas.splits(t):
        ms = time_torch(model_kind, method, steps, dtype, a, iters, data, verbose, blas, b, width, min_time)
        if best is None or ms < best[0]:
            best = (ms, f"{a}+{b}" if b is not None else f"{a}")
    return best


def measure(args, bench, blas):
    peaks = {}
    for t in args.threads:
        note(f"peak/fma/f32/omp{t} ...")
        peaks[t] = run_benchmark(bench, f"peak/fma/f32/omp{t}", t)[1]
    data = make_data()
    samples = {(c, t): {"torch": [], "nimde": [], "gflops": []} for c in args.cases for t in args.threads}
    splits = {key: [] for key in samples}
    for rep in range(args.reps):
        for (method, steps) in args.cases:
            for t in args.threads:
                name = train_step_name(method, steps, args.dtype, t, args.model)
                label = f"{name} rep {rep + 1}/{args.reps}"
                s = samples[((method, steps), t)]
                ms, split = time_torch_best(args.model, method, steps, args.dtype, t, args.iters, data, args.verbose,
                                            blas)
                s["torch"].append(ms)
                blas.set_threads(1)  # let OpenBLAS's spinning workers go idle before our turn
                time.sleep(1)
                splits[((method, steps), t)].append(split)
                ms, gflops = run_benchmark(bench, name, t, args.min_time)
                s["nimde"].append(ms)
                s["gflops"].append(gflops)
                note(f"{label}: torch {s['torch'][-1]:.2f} ms/it, nimde {ms:.2f} ms/it")
    medians = {k: {name: statistics.median(v) for name, v in s.items()} for k, s in samples.items()}
    for k, v in splits.items():
        medians[k]["split"] = statistics.mode(v)
    return peaks, medians


# --------------------------------------------------------------------------- memory

PROCESSES = ("torch", "taped", "recompute")  # PyTorch, then nimde train --backprop <kind>


def torch_memory_child(argv):
    """The hidden sub-command <points> <steps> <dtype>: MEMORY_ITERS PyTorch iterations of pendulum
    euler on one thread; prints its version and BLAS as one JSON line for the parent's note."""
    global torch
    torch = import_torch()
    points, steps, dtype = int(argv[0]), int(argv[1]), argv[2]
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    blas = Blas()
    blas.set_threads(1)
    iteration = make_iteration("node", "euler", steps, dtype, make_data(points=points))
    for _ in range(MEMORY_ITERS):
        loss = iteration()
    print(json.dumps({"torch": torch.__version__, "blas": blas.label, "loss": loss.item()}))


def peak_rss_mb(cmd, what, threads=1, env=None, at_floor_ok=False):
    """(peak resident set size in MB, stdout) of one child process running cmd, with
    OMP_NUM_THREADS=threads and the variables of env added to this process's environment.

    wait4 gives that child's own ru_maxrss. A child also carries the peak of the process it was
    started from (fork or vfork, then exec), so a reading not above this script's own is refused;
    with at_floor_ok it is returned as negative MB instead (the child's peak is at most that)."""
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err,
                                env=dict(os.environ, OMP_NUM_THREADS=str(threads), **(env or {})))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            tail = (err.read().strip().splitlines() or ["no output"])[-1]
            how = f"exit {code}" if code > 0 else f"killed by signal {-code}" + (" (out of memory?)" if code == -9 else "")
            fail(f"{what} failed ({how}): {tail}")
        if usage.ru_maxrss <= floor and at_floor_ok:
            return -usage.ru_maxrss * 1024 / 1e6, out.read()
        if usage.ru_maxrss <= floor:
            fail(f"{what}: its peak ({usage.ru_maxrss / 1024:.0f} MiB) does not exceed this script's own "
                 f"({floor / 1024:.0f} MiB), which every child's count includes")
        return usage.ru_maxrss * 1024 / 1e6, out.read()


def nimde_train_command(nimde, points, steps, dtype, backprop, out_dir):
    return [nimde, "train", "--system", "pendulum", "--method", "euler", "--steps", str(steps),
            "--points", str(points), "--test-points", str(MEMORY_TEST_POINTS), "--width", str(WIDTH),
            "--iters", str(MEMORY_ITERS), "--dtype", dtype, "--threads", "1", "--backprop", backprop,
            "--out", out_dir]


def process_peak(args, nimde, kind, points, steps):
    """(peak MB, what PyTorch's child printed or None) of one process of the given kind."""
    if kind == "torch":
        cmd = [sys.executable, SCRIPT, MEMORY_CHILD, str(points), str(steps), args.dtype]
        mb, out = peak_rss_mb(cmd, f"PyTorch at N={points} S={steps}")
        try:
            return mb, json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            fail(f"PyTorch at N={points} S={steps} printed no report: {out.strip()[:200]!r}")
    with tempfile.TemporaryDirectory(prefix="nimde-memory.") as run_dir:
        cmd = nimde_train_command(nimde, points, steps, args.dtype, kind, run_dir)
        return peak_rss_mb(cmd, f"nimde train --backprop {kind} at N={points} S={steps}")[0], None


def measure_memory(args, nimde):
    """Peak MB of every process kind at every case and at each case's baseline (BASELINE_POINTS, S)."""
    peaks, info = {}, {}
    baselines = list(dict.fromkeys((BASELINE_POINTS, steps) for _, steps in args.memory_cases))
    for points, steps in baselines + args.memory_cases:
        for kind in PROCESSES:
            mb, printed = process_peak(args, nimde, kind, points, steps)
            peaks[(points, steps, kind)] = mb
            info = printed or info
            note(f"memory N={points} S={steps} {kind}: peak {mb:.1f} MB")
    return peaks, info


def kb_per_point_step(peaks, points, steps, kind):
    """The slope against the baseline process: KB per point and unrolled step."""
    grown = peaks[(points, steps, kind)] - peaks[(BASELINE_POINTS, steps, kind)]
    return grown * 1e3 / ((points - BASELINE_POINTS) * steps)


def render_memory(args, argv, peaks, info, started, load):
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {cpu_model()} (load average {load:.2f} at the start), "
        f"PyTorch {info.get('torch', '?')} eager on the CPU with {info.get('blas', '?')}. Each figure is the peak "
        f"resident set size of one whole process (its ru_maxrss from wait4) doing {MEMORY_ITERS} training "
        f"iterations of pendulum euler, the field {DIM} → {WIDTH} → {WIDTH} → {DIM} tanh, {args.dtype}, on one "
        f"thread: PyTorch in a fresh interpreter of its own, nimde as `nimde train --test-points "
        f"{MEMORY_TEST_POINTS} --iters {MEMORY_ITERS} --threads 1 --backprop taped|recompute`. Per point and "
        f"step: (peak − peak of the same process at N = {BASELINE_POINTS:,}, same S) / ((N − {BASELINE_POINTS:,}) · S). "
        f"MB = 10⁶ bytes, KB = 10³. Command: `{command_line(argv)}`",
        "",
        "| case | PyTorch peak MB | nimde taped peak MB | nimde recompute peak MB | PyTorch KB/point-step "
        "| nimde taped KB/point-step | nimde recompute KB/point-step |",
        "|---|---|---|---|---|---|---|",
    ]
    for points, steps in args.memory_cases:
        cells = [fmt(peaks[(points, steps, kind)]) for kind in PROCESSES]
        cells += [fmt(kb_per_point_step(peaks, points, steps, kind)) for kind in PROCESSES]
        lines.append(f"| pendulum euler N={points:,} S={steps} {args.dtype} | " + " | ".join(cells) + " |")
    lines.append("")
    baselines = dict.fromkeys(steps for _, steps in args.memory_cases)
    lines.append(f"Baselines (N = {BASELINE_POINTS:,}), peak MB of PyTorch / nimde taped / nimde recompute: "
                 + "; ".join(f"S={steps}: " + " / ".join(fmt(peaks[(BASELINE_POINTS, steps, kind)])
                                                         for kind in PROCESSES) for steps in baselines) + ".")
    return "\n".join(lines)


# --------------------------------------------------------------------------- scaling

# --scaling: <points>:<width>:<steps> cases of pendulum euler f32 (d -> w -> w -> d tanh). The
# default varies N at width 128 and S 1, the width at N 10^4 and S 2, and S at N 10^4 and width 128.
SCALING_CASES = ("1000:128:1,10000:128:1,100000:128:1,1000000:128:1,"
                 "10000:32:2,10000:128:2,10000:512:2,"
                 "10000:128:4,10000:128:16,10000:128:64")
SCALING_QUICK_CASES = "1000:128:1,10000:128:1,1000:128:4"
SCALING_DEFAULT = object()  # --scaling given without cases
SCALING_REPS = 2
SCALING_MIN_TIME = "0.5"  # seconds per timing, nimde-bench's --benchmark_min_time and PyTorch's
SCALING_QUICK_MIN_TIME = "0.05"
SCALING_MAX_ITERS = 20  # PyTorch's timed iterations at most, however small the case
SCALING_MEMORY_LIMIT_GB = 16.0
# The skip rule's estimate of what a process holds: f32 rows of width w kept per point and field
# evaluation, for the two hidden layers each its pre-activation, activation and their gradients
# (the memory table above measures 6-8 such rows per point-step: 3.1-4.4 KB at w = 128).
KEPT_ROWS = 8
SCALING_CHILD = "_torch-scaling-child"
ENGINES = ("taped", "recompute", "torch")  # nimde-bench --backprop taped / recompute, then PyTorch
ENGINE_LABELS = {"taped": "nimde taped", "recompute": "nimde recompute", "torch": "PyTorch"}
SCALING_PLOT = os.path.join(REPO_ROOT, "bench", "scaling.png")


def parse_scaling_cases(text):
    cases = []
    for item in (s.strip() for s in text.split(",")):
        parts = item.split(":")
        if len(parts) != 3:
            raise argparse.ArgumentTypeError(f"bad scaling case '{item}' (expected <points>:<width>:<steps>)")
        cases.append(tuple(positive_int(v, f"{what} of scaling case '{item}'")
                           for v, what in zip(parts, ("points", "width", "steps"))))
    if len(set(cases)) != len(cases):
        raise argparse.ArgumentTypeError(f"--scaling has repeated entries: '{text}'")
    return cases


def scaling_name(points, width, steps, engine, threads):
    """nimde-bench's scaling benchmark (bench/scaling.hpp), registered through NIMDE_BENCH_SCALING."""
    return f"scaling/N{points}/W{width}/S{steps}/{engine}/omp{threads}"


def estimated_gb(points, width, steps, engine):
    """What a process would hold, roughly (KEPT_ROWS): recompute keeps one step's rows and S + 1 states."""
    kept_steps = 1 if engine == "recompute" else steps
    return (KEPT_ROWS * 4 * width * points * kept_steps + 8 * DIM * points * (steps + 2)) / 1e9


def torch_scaling_child(argv):
    """The hidden sub-command <points> <width> <steps> <threads> <iters> <min_time>: PyTorch's best ms
    per iteration of pendulum euler f32 over the splits of the threads; one JSON line."""
    global torch
    torch = import_torch()
    points, width, steps, threads, iters = (int(v) for v in argv[:5])
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    blas = Blas()
    ms, split = time_torch_best("node", "euler", steps, "f32", threads, iters, make_data(points=points), False, blas,
                                width, argv[5])
    print(json.dumps({"ms": ms, "split": split, "torch": torch.__version__, "blas": blas.label}))


def scaling_process(args, bench, case, engine, t):
    """(ms per iteration, peak MB, what PyTorch's child printed or None) of one process; a peak
    at this script's own is returned negative (an upper bound)."""
    points, width, steps = case
    what = f"{ENGINE_LABELS[engine]} at N={points} width={width} S={steps} on {t} thread{'s' if t > 1 else ''}"
    if engine == "torch":
        cmd = [sys.executable, SCRIPT, SCALING_CHILD, str(points), str(width), str(steps), str(t),
               str(SCALING_MAX_ITERS), args.min_time]
        mb, out = peak_rss_mb(cmd, what, threads=t, at_floor_ok=True)
        try:
            printed = json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            fail(f"{what} printed no report: {out.strip()[:200]!r}")
        return printed["ms"], mb, printed
    name = scaling_name(points, width, steps, engine, t)
    cmd = [bench, f"--benchmark_filter=^{name}(/real_time)?$", "--benchmark_format=json",
           f"--benchmark_min_time={args.min_time}"]
    mb, out = peak_rss_mb(cmd, what, threads=t, env={"NIMDE_BENCH_SCALING": name}, at_floor_ok=True)
    run = benchmark_run(bench, name, out)
    return run["real_time"] * TIME_UNIT_MS[run.get("time_unit", "ns")], mb, None


def measure_scaling(args, bench):
    """Medians over the repetitions of ms and peak MB per (case, threads, engine); the skipped
    (case, engine) pairs with their estimate; what PyTorch's child said; the peaks."""
    peaks = {}
    for t in args.threads:
        note(f"peak/fma/f32/omp{t} ...")
        peaks[t] = run_benchmark(bench, f"peak/fma/f32/omp{t}", t)[1]
    skipped = {(case, engine): estimated_gb(*case, engine) for case in args.scaling for engine in ENGINES
               if estimated_gb(*case, engine) > args.memory_limit}
    samples = {}
    info = {}
    for rep in range(args.reps):
        for case in args.scaling:
            for t in args.threads:
                for engine in ("torch", "taped", "recompute"):
                    if (case, engine) in skipped:
                        continue
                    ms, mb, printed = scaling_process(args, bench, case, engine, t)
                    s = samples.setdefault((case, t, engine), {"ms": [], "mb": [], "split": []})
                    s["ms"].append(ms)
                    s["mb"].append(mb)
                    if printed:
                        s["split"].append(printed["split"])
                        info = printed
                    note(f"scaling N={case[0]} W={case[1]} S={case[2]} omp{t} {engine} rep {rep + 1}/{args.reps}: "
                         f"{ms:.3g} ms/it, peak {abs(mb):.1f} MB")
    medians = {}
    for key, s in samples.items():
        mbs = s["mb"]
        # A peak at this script's own (negative) is an upper bound: keep it so only if all are.
        mb = statistics.median([m for m in mbs if m > 0]) if any(m > 0 for m in mbs) else max(mbs)
        medians[key] = {"ms": statistics.median(s["ms"]), "mb": mb,
                        "split": statistics.mode(s["split"]) if s["split"] else ""}
    return peaks, medians, skipped, info


def loglog_slope(xs, ys):
    """Least-squares slope of log y against log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx


def scaling_series(cases, axis):
    """The series along one axis (0 points, 1 width, 2 steps): {fixed other two: [cases by axis]}
    for every choice of the other two with at least two values on the axis."""
    groups = {}
    for case in cases:
        groups.setdefault(tuple(v for i, v in enumerate(case) if i != axis), []).append(case)
    return {k: sorted(v, key=lambda c: c[axis]) for k, v in groups.items() if len({c[axis] for c in v}) >= 2}


AXES = (("N", "points"), ("width", "width"), ("S", "steps"))


def scaling_slopes(args, medians, quantity):
    """[(axis, fixed, threads, engine, slope)] of log quantity ("ms" or "mb") against log axis."""
    slopes = []
    for axis, (symbol, _) in enumerate(AXES):
        for fixed, series in scaling_series(args.scaling, axis).items():
            for t in args.threads:
                for engine in ENGINES:
                    pts = [(c[axis], medians[(c, t, engine)][quantity]) for c in series if (c, t, engine) in medians]
                    pts = [(x, y) for x, y in pts if y > 0]  # peaks at the script's own are bounds only
                    if len({x for x, _ in pts}) >= 2:
                        slopes.append((axis, fixed, t, engine, loglog_slope(*zip(*pts))))
    return slopes


def fixed_label(axis, fixed):
    names = [symbol for i, (symbol, _) in enumerate(AXES) if i != axis]
    return ", ".join(f"{n} = {v:,}" for n, v in zip(names, fixed))


def render_slopes(args, medians, quantity, what):
    lines = []
    slopes = scaling_slopes(args, medians, quantity)
    for axis, fixed in dict.fromkeys((a, f) for a, f, _, _, _ in slopes):
        cells = [f"{ENGINE_LABELS[e]} {t}t {k:.2f}" for a, f, t, e, k in slopes if (a, f) == (axis, fixed)]
        lines.append(f"- {what} against {AXES[axis][0]} ({fixed_label(axis, fixed)}): " + ", ".join(cells))
    return lines


def render_scaling(args, argv, peaks, medians, skipped, info, started, load, load_end):
    blas = info.get("blas", "?")
    cores = os.cpu_count() or 1
    busy_note = (f" The machine was shared (load average above half its {cores} cores): the times on more than "
                 "one thread, the measured peak and so the % of peak are unreliable; the 1-thread slopes are the "
                 "figures to read." if max(load, load_end) > cores / 2 else "")
    peaks_text = ", ".join(f"{fmt(peaks[t])} GFLOP/s on {t} thread{'s' if t > 1 else ''}" for t in args.threads)
    split_note = (" PyTorch at t threads is timed with its threads and OpenBLAS's split every way within t "
                  "(torch threads + BLAS threads), the best reported." if "OpenBLAS" in blas else "")
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {cpu_model()} (load average {load:.2f} at the start, "
        f"{load_end:.2f} at the end), "
        f"PyTorch {info.get('torch', '?')} eager on the CPU with {blas}.{busy_note} One Adam iteration of pendulum euler f32, "
        f"the field {DIM} → w → w → {DIM} tanh, N points, S unrolled steps; every figure is one process of its own "
        f"per case, thread count, engine and repetition (medians of {args.reps}): nimde-bench's "
        f"`scaling/N<N>/W<w>/S<S>/<taped|recompute>/omp<t>` (registered through NIMDE_BENCH_SCALING, "
        f"`--benchmark_min_time={args.min_time}`, its buffer-sizing first iteration untimed; uniform random states "
        f"of the pendulum's domain as data, since the values do not change the time) and this script's PyTorch "
        f"child on the pendulum's data (one warm-up iteration when it takes {args.min_time} s or more, else "
        f"{WARMUP_ITERS}; then timed until {args.min_time} s, at most {SCALING_MAX_ITERS}).{split_note} "
        f"GFLOP/s count three GEMMs per dense layer forward + backward, 6·N·S·(2w + w² + 2w); % of peak against "
        f"peak/fma/f32/omp<t>, the measured fp32 FMA throughput ({peaks_text}). "
        f"Peak MB: the process's ru_maxrss from wait4 (10⁶ bytes), which includes this script's own peak; "
        f"\"≤ x\" means the reading was that floor. Command: `{command_line(argv)}`",
        "",
        "| N | width | S | threads | taped ms/it | taped GFLOP/s | taped % peak | taped peak MB "
        "| recompute ms/it | recompute GFLOP/s | recompute % peak | recompute peak MB "
        "| PyTorch ms/it | PyTorch GFLOP/s | PyTorch % peak | PyTorch peak MB | PyTorch split |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in args.scaling:
        points, width, steps = case
        flops = flops_per_iteration("euler", steps, "node", points, width)
        for t in args.threads:
            cells = [f"{points:,}", str(width), str(steps), str(t)]
            split = ""
            for engine in ENGINES:
                m = medians.get((case, t, engine))
                if m is None:
                    cells += [f"skipped (~{skipped[(case, engine)]:.3g} GB)", "", "", ""]
                    continue
                gflops = flops / (m["ms"] * 1e-3) * 1e-9
                mb = fmt(m["mb"]) if m["mb"] > 0 else f"≤ {fmt(-m['mb'])}"
                cells += [fmt(m["ms"]), fmt(gflops), f"{fmt(100 * gflops / peaks[t])} %", mb]
                split = m["split"] or split
            lines.append("| " + " | ".join(cells + [split]) + " |")
    lines.append("")
    if skipped:
        lines.append("Skipped (the estimate of what the process would hold, "
                     f"{KEPT_ROWS} f32 rows of width w per point and kept step, exceeds {args.memory_limit:g} GB): "
                     + "; ".join(f"{ENGINE_LABELS[e]} at N={c[0]:,} width={c[1]} S={c[2]} (~{gb:.3g} GB)"
                                 for (c, e), gb in skipped.items()) + ".")
        lines.append("")
    lines.append("Fitted log–log slopes (1 = linear; t = threads):")
    lines.append("")
    lines += render_slopes(args, medians, "ms", "time") or ["- time: no axis has two sizes"]
    lines += render_slopes(args, medians, "mb", "peak memory")
    rel = os.path.relpath(args.plot, os.path.dirname(os.path.abspath(args.out)))
    lines += ["", f"![time and peak memory against N and S]({rel})"]
    return "\n".join(lines)


def plot_scaling(args, medians, path):
    """time and peak memory against N and against S, log–log, one line per engine and threads;
    written atomically. Without matplotlib: a note, no plot."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        note("compare_torch: matplotlib is not installed; no plot")
        return False
    panels = []
    for axis in (0, 2):
        series = scaling_series(args.scaling, axis)
        if series:  # the longest series along the axis
            fixed, cases = max(series.items(), key=lambda kv: len(kv[1]))
            panels.append((axis, fixed, cases))
    if not panels:
        note("compare_torch: no axis has two sizes; no plot")
        return False
    fig, axes = plt.subplots(2, len(panels), figsize=(6 * len(panels), 8), squeeze=False)
    colors = {"taped": "tab:blue", "recompute": "tab:green", "torch": "tab:red"}
    styles = {1: "-", 2: "--"}
    for col, (axis, fixed, cases) in enumerate(panels):
        for row, (quantity, ylabel) in enumerate((("ms", "time per iteration (ms)"),
                                                  ("mb", "peak resident memory (MB, 10⁶ bytes)"))):
            ax = axes[row][col]
            bounded = False
            for engine in ENGINES:
                for t in args.threads:
                    pts = [(c[axis], medians[(c, t, engine)][quantity]) for c in cases if (c, t, engine) in medians]
                    if any(y > 0 for _, y in pts):
                        ax.plot(*zip(*[(x, y) for x, y in pts if y > 0]), styles.get(t, ":"), marker="o",
                                color=colors[engine], label=f"{ENGINE_LABELS[engine]}, {t} thread{'s' if t > 1 else ''}")
                    floor = [(x, -y) for x, y in pts if y < 0]
                    if floor:  # peaks at this script's own: upper bounds
                        ax.plot(*zip(*floor), "v", color=colors[engine], fillstyle="none", markersize=9)
                        bounded = True
            if bounded:
                ax.plot([], [], "v", color="gray", fillstyle="none", label="at most (reading at the script's own peak)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            values = sorted({c[axis] for c in cases})
            ax.set_xticks(values)
            ax.set_xticklabels([f"{v:,}" for v in values])
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            ax.set_xlabel(f"{AXES[axis][1]} {AXES[axis][0]} ({fixed_label(axis, fixed)})")
            ax.set_ylabel(ylabel)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
    fig.suptitle("One Adam iteration, pendulum euler f32, 2 → w → w → 2 tanh")
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".compare_torch.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    plt.close(fig)
    return True


def scaling_main(args, argv):
    require_torch_interpreter()  # but no import: this process's peak counts in every child's
    bench = check_paths(args.bench, "benchmark program", args.out, MARKERS["scaling"])
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
        fail(f"folder of --plot does not exist: {os.path.dirname(os.path.abspath(args.plot))}")
    check_benchmarks(bench, [f"peak/fma/f32/omp{t}" for t in args.threads])
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[0]
    peaks, medians, skipped, info = measure_scaling(args, bench)
    body = render_scaling(args, argv, peaks, medians, skipped, info, started, load, os.getloadavg()[0])
    print(body)
    write_section(args.out, body, MARKERS["scaling"])
    note(f"written to {args.out}")
    if plot_scaling(args, medians, args.plot):
        note(f"plot written to {args.plot}")


# --------------------------------------------------------------------------- report


def fmt(x):
    if x != x:  # NaN
        return "–"
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def case_label(method, steps, dtype, model_kind="node"):
    return f"pendulum{' HNN' if model_kind == 'hnn' else ''} {method} S={steps} {dtype}"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def command_line(argv):
    script = os.path.relpath(SCRIPT, os.getcwd())
    if script.startswith(".."):
        script = SCRIPT
    return shlex.join(["python3", script] + list(argv))


def render(args, argv, peaks, medians, started, load, blas):
    blas_note = ("PyTorch at each core budget t is timed with its threads and OpenBLAS's split "
                 "every way within t (t+1 or 1+t: torch threads + BLAS threads); the best is reported "
                 "and its usual split given." if "OpenBLAS" in blas else "")
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {cpu_model()} (load average {load:.2f} at the start), "
        f"PyTorch {torch.__version__} eager on the CPU with {blas}. Threads {','.join(map(str, args.threads))}; "
        f"medians of {args.reps} repetition{'s' if args.reps != 1 else ''}, PyTorch and nimde alternating; "
        f"per repetition PyTorch "
        f"runs {WARMUP_ITERS} warm-up and {args.iters} timed iterations, nimde-bench "
        f"`--benchmark_min_time={args.min_time}`. {blas_note} PyTorch runs with glibc told to keep "
        f"freed memory (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ 2³²), so that its per-iteration "
        f"tensors do not page-fault anew every iteration; nimde-bench with glibc's defaults. Both flush "
        f"subnormal numbers to zero (torch.set_flush_denormal; nimde's training does). "
        f"Command: `{command_line(argv)}`",
        "",
        "| case | threads | torch ms/it | torch split | nimde ms/it | speed-up (torch/nimde) | nimde GFLOP/s "
        "| torch GFLOP/s | nimde % of peak | measured peak GFLOP/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (method, steps) in args.cases:
        flops = flops_per_iteration(method, steps, args.model)
        for t in args.threads:
            m = medians[((method, steps), t)]
            torch_gflops = flops / (m["torch"] * 1e-3) * 1e-9
            lines.append(
                f"| {case_label(method, steps, args.dtype, args.model)} | {t} | {fmt(m['torch'])} | {m['split']} | {fmt(m['nimde'])} "
                f"| {m['torch'] / m['nimde']:.2f}× | {fmt(m['gflops'])} | {fmt(torch_gflops)} "
                f"| {fmt(100 * m['gflops'] / peaks[t])} % | {fmt(peaks[t])} |")
    lines += ["", "Peak: peak/fma/f32/omp<threads> of nimde-bench, the measured fp32 FMA throughput"
              + (" (f64 peaks at half of it)." if args.dtype == "f64" else ".")]
    if 1 in args.threads and 2 in args.threads:
        lines.append("")
        for (method, steps) in args.cases:
            one, two = medians[((method, steps), 1)], medians[((method, steps), 2)]
            lines.append(f"- {case_label(method, steps, args.dtype, args.model)}, 2 threads vs 1: "
                         f"torch {one['torch'] / two['torch']:.2f}×, nimde {one['nimde'] / two['nimde']:.2f}×")
    return "\n".join(lines)


def splice(text, body, markers):
    """text with the part between the markers replaced by body, or a new section appended."""
    BEGIN, END, SECTION_TITLE = markers
    begin, end = text.find(BEGIN), text.find(END)
    block = f"{BEGIN}\n{body}\n{END}"
    if begin < 0 and end < 0:
        return text.rstrip("\n") + ("\n\n" if text.strip() else "") + f"{SECTION_TITLE}\n\n{block}\n"
    if begin < 0 or end < begin or text.find(BEGIN, begin + 1) >= 0:
        return None
    return text[:begin] + block + text[end + len(END):]


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".compare_torch.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_out(path, markers):
    """The current text of --out ("" if absent); fails on markers it could not splice into."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if splice(text, "", markers) is None:
        fail(f"{path} has misplaced or repeated {markers[0]} / {markers[1]} markers")
    return text


def write_section(path, body, markers):
    new_text = splice(read_out(path, markers), body, markers)
    try:
        write_atomically(path, new_text)
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror}")


# --------------------------------------------------------------------------- main


def check_paths(program, what, out, markers):
    """The program's absolute path; fails early on a missing program or an --out it cannot splice into."""
    program = os.path.abspath(program)
    if not (os.path.isfile(program) and os.access(program, os.X_OK)):
        fail(f"{what} not found or not executable: {program}")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        fail(f"folder of --out does not exist: {out_dir}")
    read_out(out, markers)
    return program


def memory_main(args, argv):
    require_torch_interpreter()  # but no import: this process's peak counts in every child's
    nimde = check_paths(args.nimde, "nimde program", args.out, MARKERS["memory"])
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[0]
    peaks, info = measure_memory(args, nimde)
    body = render_memory(args, argv, peaks, info, started, load)
    print(body)
    write_section(args.out, body, MARKERS["memory"])
    note(f"written to {args.out}")


# PyTorch allocates an iteration's large tensors afresh; glibc returns each to the kernel when it
# is freed and maps it again the next time, so every iteration page-faults its working set anew,
# at a cost that a virtual machine makes vary (here the Hamiltonian network's iteration took
# 43 ms one hour and 160-210 ms the next). Told to keep freed memory, glibc serves the next
# iteration from it, and PyTorch is timed at its steady best. nimde reuses its buffers anyway.
# Only for PyTorch in the time comparisons: nimde-bench's children get the defaults back (with
# these settings its midpoint and rk4 iterations ran 25-30 % slower here, for a reason not
# established), and --memory and --scaling measure the defaults users run with.
KEEP_FREED_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(1 << 32), "MALLOC_TRIM_THRESHOLD_": str(1 << 32)}


def keep_freed_memory(argv):
    """Re-run this script with glibc keeping freed memory, unless it already does."""
    if all(os.environ.get(k) == v for k, v in KEEP_FREED_MEMORY.items()):
        return
    os.environ.update(KEEP_FREED_MEMORY)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, SCRIPT] + argv)


def main(argv):
    if argv[:1] == [MEMORY_CHILD]:
        return torch_memory_child(argv[1:])
    if argv[:1] == [SCALING_CHILD]:
        return torch_scaling_child(argv[1:])
    args = parse_args(argv)
    if args.memory:
        return memory_main(args, argv)
    if args.scaling is not None:
        return scaling_main(args, argv)
    keep_freed_memory(argv)
    global torch
    torch = import_torch()
    bench = check_paths(args.bench, "benchmark program", args.out, MARKERS[args.model])
    check_benchmarks(bench, [f"peak/fma/f32/omp{t}" for t in args.threads]
                     + [train_step_name(method, steps, args.dtype, t, args.model)
                        for (method, steps) in args.cases for t in args.threads])
    try:  # before any parallel work
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    blas = Blas()
    if blas.reference:
        note(f"compare_torch: warning: PyTorch's matrix products go through the {blas.label}; its times are "
             "not representative (install libopenblas0-pthread)")
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[0]
    peaks, medians = measure(args, bench, blas)
    body = render(args, argv, peaks, medians, started, load, blas.label)
    print(body)
    write_section(args.out, body, MARKERS[args.model])
    note(f"written to {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
