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

Run from the repository root after building:

    python3 bench/compare_torch.py --threads 1,2 --reps 5

PyTorch comes from Debian's python3-torch (/usr/bin/python3); started with another python3
that lacks torch, the script re-runs itself with /usr/bin/python3.
"""

import argparse
import datetime
import json
import os
import platform
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
                   "## Hamiltonian networks side by side with PyTorch")}

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


def parse_args(argv):
    p = Parser(description="Time one training iteration in PyTorch and in nimde-bench, side by side.")
    p.add_argument("--bench", default=os.path.join(REPO_ROOT, "build", "bin", "nimde-bench"),
                   help="the benchmark program (default: build/bin/nimde-bench)")
    p.add_argument("--threads", type=parse_threads, default=[1, 2], help="thread counts, e.g. 1,2")
    p.add_argument("--reps", type=positive_int, default=5, help="repetitions (medians)")
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
    p.add_argument("--verbose", action="store_true", help="print PyTorch's first and last loss of every timing")
    args = p.parse_args(argv)
    stages = HNN_STAGES if args.model == "hnn" else STAGES
    if args.cases is None:
        args.cases = parse_cases("euler:1,implicit-midpoint:1" if args.model == "hnn" else "euler:2,midpoint:1,rk4:1")
    for method, _ in args.cases:
        if method not in stages:
            fail(f"--cases: method '{method}' is not timed for --model {args.model} (use {', '.join(stages)})")
    return args


# --------------------------------------------------------------------------- PyTorch


def import_torch():
    """Import torch, re-running under /usr/bin/python3 if this interpreter lacks it."""
    try:
        import torch
        return torch
    except ImportError:
        pass
    if (sys.executable != SYSTEM_PYTHON and os.path.exists(SYSTEM_PYTHON)
            and os.environ.get(REEXEC_GUARD) != "1"):
        note(f"compare_torch: no torch in {sys.executable}; re-running with {SYSTEM_PYTHON}")
        os.environ[REEXEC_GUARD] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, SCRIPT] + sys.argv[1:])
    print(NO_TORCH)
    sys.exit(0)


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


def make_data(seed=1):
    """x uniform in the domain, y the flow over T (10 rk4 steps in float64; error ~1e-12)."""
    gen = torch.Generator().manual_seed(seed)
    lo = torch.tensor([d[0] for d in DOMAIN], dtype=torch.float64)
    hi = torch.tensor([d[1] for d in DOMAIN], dtype=torch.float64)
    x = lo + (hi - lo) * torch.rand(POINTS, DIM, generator=gen, dtype=torch.float64)
    y = x.clone()
    substeps = 10
    for _ in range(substeps):
        y = rk4_step(pendulum, y, T_FINAL / substeps)
    return x, y


def make_model(dtype, outputs=DIM):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(DIM, WIDTH), nn.Tanh(), nn.Linear(WIDTH, WIDTH), nn.Tanh(),
                          nn.Linear(WIDTH, outputs)).to(dtype)
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


def time_torch(model_kind, method, steps, dtype, threads, iters, data, verbose, blas=None, blas_threads=None):
    """ms per iteration of one (case, threads) in PyTorch: a fresh model, warm-up, then iters timed."""
    torch.set_num_threads(threads)
    if blas is not None:
        blas.set_threads(blas_threads)
    x, y = (t.to(torch_dtype(dtype)) for t in data)
    model = make_model(torch_dtype(dtype), 1 if model_kind == "hnn" else DIM)
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

    first = iteration().item()
    for _ in range(WARMUP_ITERS - 1):
        iteration()
    start = time.perf_counter()
    for _ in range(iters):
        loss = iteration()
    elapsed = time.perf_counter() - start
    if verbose:
        note(f"  torch {method} S={steps} {dtype} threads={threads} blas={blas_threads}: initial loss {first:.6g}, "
             f"after {WARMUP_ITERS + iters} iterations {loss.item():.6g}")
    return 1e3 * elapsed / iters


# --------------------------------------------------------------------------- nimde-bench


def run_benchmark(bench, name, threads, min_time=None):
    """Run one benchmark of nimde-bench; returns (ms per iteration, GFLOP/s counter)."""
    # Benchmarks registered with UseRealTime() carry a "/real_time" suffix in their full name.
    cmd = [bench, f"--benchmark_filter=^{name}(/real_time)?$", "--benchmark_format=json"]
    if min_time is not None:
        cmd.append(f"--benchmark_min_time={min_time}")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        fail(f"{bench} failed on benchmark '{name}' (exit {proc.returncode}): {tail}")
    try:
        runs = json.loads(proc.stdout)["benchmarks"] if proc.stdout.strip() else []
    except (json.JSONDecodeError, KeyError):
        fail(f"{bench} gave unreadable JSON for benchmark '{name}'")
    runs = [r for r in runs if r.get("run_type", "iteration") == "iteration"]
    if not runs:
        fail(f"benchmark '{name}' matches nothing in {bench}")
    run = runs[0]
    if "error_message" in run:
        fail(f"benchmark '{name}' reported an error: {run['error_message']}")
    ms = run["real_time"] * TIME_UNIT_MS[run.get("time_unit", "ns")]
    return ms, run.get("GFLOP/s", float("nan"))


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


def flops_per_iteration(method, steps, model_kind="node"):
    """The benchmark's count: three GEMMs per dense layer and field evaluation, forward + backward
    (not counted for a Hamiltonian network)."""
    if model_kind == "hnn":
        return float("nan")
    field = 3 * 2 * POINTS * (DIM * WIDTH + WIDTH * WIDTH + WIDTH * DIM)
    return field * steps * STAGES[method]


def time_torch_best(model_kind, method, steps, dtype, t, iters, data, verbose, blas):
    """PyTorch's best ms per iteration over the splits of t cores; (ms, "torch a + BLAS b")."""
    best = None
    for a, b in blas.splits(t):
        ms = time_torch(model_kind, method, steps, dtype, a, iters, data, verbose, blas, b)
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
                ms, gflops = run_benchmark(bench, name, t, BENCH_MIN_TIME)
                s["nimde"].append(ms)
                s["gflops"].append(gflops)
                note(f"{label}: torch {s['torch'][-1]:.2f} ms/it, nimde {ms:.2f} ms/it")
    medians = {k: {name: statistics.median(v) for name, v in s.items()} for k, s in samples.items()}
    for k, v in splits.items():
        medians[k]["split"] = statistics.mode(v)
    return peaks, medians


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
        f"`--benchmark_min_time={BENCH_MIN_TIME}`. {blas_note} Command: `{command_line(argv)}`",
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


def main(argv):
    args = parse_args(argv)
    global torch
    torch = import_torch()
    bench = os.path.abspath(args.bench)
    if not (os.path.isfile(bench) and os.access(bench, os.X_OK)):
        fail(f"benchmark program not found or not executable: {bench}")
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        fail(f"folder of --out does not exist: {out_dir}")
    read_out(args.out, MARKERS[args.model])
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
