"""Tests of experiments/torch_bridge.py with Debian's python3-torch, one case per CTest test:
    torch_bridge_test.py CASE NIMDE SOURCE_DIR
CASE: roundtrip | refusals | example | loss. Without torch: exit 77, which CTest reports as
SKIPPED. Every number nimde prints is checked against PyTorch's own computation of it.
"""
import atexit
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import torch
    from torch import nn
except ImportError:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

case, nimde, source = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(source, "experiments"))
import torch_bridge as tb  # noqa: E402

work = tempfile.mkdtemp(prefix="nimde_torch_bridge_")
atexit.register(shutil.rmtree, work, ignore_errors=True)
torch.manual_seed(1)
torch.set_num_threads(1)


def run(*args, expect=0):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert r.returncode == expect, f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def bridge(*args, expect=0):
    return run(sys.executable, os.path.join(source, "experiments", "torch_bridge.py"), *args, expect=expect)


def bridge_here(*args):
    """The command line in this process (fast: no second import of torch): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = tb.main([str(a) for a in args])
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


def path(name):
    return os.path.join(work, name)


def field_net(dtype, acts=("tanh", "tanh")):
    """2 -> 9 -> 7 -> 2 with the given hidden activations and non-zero biases."""
    m = [nn.Linear(2, 9), tb.ACTIVATIONS[acts[0]](), nn.Linear(9, 7), tb.ACTIVATIONS[acts[1]](), nn.Linear(7, 2)]
    net = nn.Sequential(*m).to(dtype)
    with torch.no_grad():
        for p in net.parameters():
            p.normal_()
    return net


def pendulum_model(net, p):
    tb.save_model(net, p, system="pendulum", names=["p", "q"], method="euler", steps=1, T=0.04)


def bitwise_equal(a, b):
    return all(torch.equal(x, y) and x.dtype == y.dtype for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def nimde_field(model, x):
    """f_theta at the rows of x, evaluated by nimde (`imde eval --order 0`: the field itself)."""
    with open(path("points.csv"), "w") as f:
        f.write("p,q\n" + "".join(f"{a!r},{b!r}\n" for a, b in x.tolist()))
    out = run(nimde, "imde", "eval", "--model", model, "--order", "0", "--points", path("points.csv")).stdout
    return torch.tensor([[float(v) for v in line.split(",")] for line in out.split()[1:]], dtype=torch.float64)


def roundtrip():
    x = torch.rand(64, 2, dtype=torch.float64) * 4 - 2
    for dtype in (torch.float64, torch.float32):
        for acts in (("tanh", "tanh"), ("sin", "relu"), ("elu", "softplus"), ("sigmoid", "tanh")):
            net = field_net(dtype, acts)
            p = path("model.json")
            pendulum_model(net, p)
            back, meta = tb.load_model(p)
            assert bitwise_equal(net, back), (dtype, acts)
            assert torch.equal(net(x.to(dtype)), back(x.to(dtype))), (dtype, acts)  # the field, to the last bit
            assert meta["method"] == "euler" and meta["T"] == 0.04 and meta["names"] == ["p", "q"]
            pendulum_model(back, path("again.json"))
            assert open(p).read() == open(path("again.json")).read()
            # nimde reads the same numbers: its evaluation of the field agrees with PyTorch's in
            # double to rounding (the two libraries' tanh, exp and sums differ in the last bits).
            torch_f = net.double()(x)
            diff = (nimde_field(p, x) - torch_f).abs().max().item()
            print(f"{dtype} {acts}: max |nimde - torch| {diff:.3g} (max |f| {torch_f.abs().max().item():.3g})")
            assert diff <= 1e-13 * (1 + torch_f.abs().max().item()), (dtype, acts, diff)
    # The command line, a whole module and a state dict with its layout: the same file.
    net = field_net(torch.float32, ("sin", "tanh"))
    torch.save(net, path("net.pt"))
    torch.save(net.state_dict(), path("state.pt"))
    how = ["--system", "pendulum", "--names", "p,q", "--method", "midpoint", "--steps", "2", "--T", "0.08"]
    bridge("export", path("net.pt"), *how, "--out", path("a.json"))
    assert bridge_here("export", path("state.pt"), "--layout", "linear,sin,linear,tanh,linear", *how,
                       "--out", path("b.json"))[0] == 0
    a = json.load(open(path("a.json")))
    assert a == json.load(open(path("b.json")))
    assert a["dtype"] == "f32" and a["steps"] == 2 and [l["activation"] for l in a["layers"]] == ["sin", "tanh", "identity"]
    bridge("import", path("a.json"), "--out", path("back.pt"))
    assert bitwise_equal(net, torch.load(path("back.pt")))
    assert bridge_here("import", path("a.json"), "--state-dict", "--out", path("back_state.pt"))[0] == 0
    back = tb.sequential_from_state_dict(torch.load(path("back_state.pt")), "linear,sin,linear,tanh,linear")
    assert bitwise_equal(net, back)
    # A user field: names from the expression's left sides, its domain and parameters kept.
    torch.save(field_net(torch.float64), path("net64.pt"))
    assert bridge_here("export", path("net64.pt"), "--field", "u' = v; v' = -a*u", "--param", "a=2",
                       "--domain=-1:1,-2:2", "--method", "rk4", "--T", "0.1", "--out", path("user.json"))[0] == 0
    j = json.load(open(path("user.json")))
    assert j["names"] == ["u", "v"] and j["params"] == {"a": 2.0} and j["domain"] == [[-1, 1], [-2, 2]]
    run(nimde, "compare", "--model", path("user.json"), "--test-points", "16")


class ODEFunc(nn.Module):  # torchdiffeq's idiom: forward(t, y)
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))

    def forward(self, t, y):
        return self.net(y)


def refusals():
    cases = [
        (ODEFunc(), "ODEFunc is not an nn.Sequential"),
        (nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.1), nn.Linear(8, 2)), "module 1 (Dropout(p=0.1"),
        (nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2)), "a time input is not supported"),
        (nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.ReLU(), nn.Linear(8, 2)), "module 2 (ReLU()) follows another"),
        (nn.Sequential(nn.Linear(2, 8), nn.ELU(alpha=0.5), nn.Linear(8, 2)), "module 1 (ELU(alpha=0.5)): nimde's elu"),
        (nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)).half(), "torch.float16"),
    ]
    how = ["--system", "pendulum", "--names", "p,q", "--method", "euler", "--T", "0.04", "--out", path("m.json")]
    for net, named in cases:
        torch.save(net, path("bad.pt"))
        code, out, err = bridge_here("export", path("bad.pt"), *how)
        assert code == 1 and named in err and err.count("\n") == 1 and out == "", (named, err)
        assert not os.path.exists(path("m.json"))
    # The script itself, as a user runs it: a class it cannot unpickle is one line too.
    r = bridge("export", path("bad.pt"), *how, expect=1)
    assert "torch.float16" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    torch.save(ODEFunc(), path("odefunc.pt"))
    r = bridge("export", path("odefunc.pt"), *how, expect=1)
    assert "ODEFunc" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    torch.save(nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)).state_dict(), path("state.pt"))
    for args, named in [
        ((), "give its modules with --layout"),
        (("--layout", "linear,tanh,dropout,linear"), "module 2 'dropout'"),
        (("--layout", "linear,tanh,linear", "--names", "p,q,r"), "the field has 3 components"),
        (("--layout", "linear,tanh,linear", "--steps", "0"), "steps 0"),
        (("--layout", "linear,tanh,linear", "--T", "x"), "'x'"),
        (("--layout", "linear,tanh,linear", "--T", "nan"), "T nan"),
        (("--layout", "linear,tanh,linear", "--seed", "-1"), "seed -1"),
    ]:
        code, out, err = bridge_here("export", path("state.pt"), *how, *args)
        assert code == 1 and named in err and err.count("\n") == 1, (named, err)
        assert not os.path.exists(path("m.json"))
    with open(path("bad.json"), "w") as f:
        json.dump({"format": "nimde-model", "version": 1, "dim": 2, "dtype": "f64",
                   "layers": [{"weight": [[1, 2], [3, 4]], "bias": [0, 0], "activation": "swish"}]}, f)
    code, out, err = bridge_here("import", path("bad.json"), "--out", path("x.pt"))
    assert code == 1 and "layers[0].activation 'swish'" in err, err
    pendulum_model(field_net(torch.float64), path("good.json"))
    j = json.load(open(path("good.json")))
    j["layers"][1]["bias"] = [0.5]
    json.dump(j, open(path("bad.json"), "w"))
    code, out, err = bridge_here("import", path("bad.json"), "--out", path("x.pt"))
    assert code == 1 and "layers[1].bias does not have 7 entries" in err and not os.path.exists(path("x.pt")), err
    j = json.load(open(path("good.json")))
    j["kind"] = "hnn"
    json.dump(j, open(path("bad.json"), "w"))
    code, out, err = bridge_here("import", path("bad.json"), "--out", path("x.pt"))
    assert code == 1 and "kind 'hnn'" in err and err.count("\n") == 1 and not os.path.exists(path("x.pt")), err

def nimde_json(*args):
    return json.loads(run(nimde, *args, "--format", "json").stdout)


def example():
    """The README's worked example at small size: data by nimde, trained in PyTorch, exported,
    evaluated and compared by nimde."""
    points, seed = 256, 5
    run(nimde, "data", "--system", "pendulum", "--points", points, "--test-points", 256, "--seed", seed,
        "--out", path("data"))
    r = run(sys.executable, os.path.join(source, "experiments", "torch_pendulum.py"), path("data"), path("net.pt"),
            1000, 32)
    torch_loss = float(r.stdout.split()[-1])
    assert bridge_here("export", path("net.pt"), "--system", "pendulum", "--names", "p,q", "--method", "euler",
                       "--steps", 1, "--T", 0.04, "--seed", seed, "--points", points, "--out", path("model.json"))[0] == 0
    e = nimde_json("eval", "--model", path("model.json"), "--test-points", 256)
    # nimde regenerates the same pairs from the seed and computes the same loss.
    assert abs(e["train_loss"] - torch_loss) <= 1e-12 * torch_loss, (e["train_loss"], torch_loss)
    c = nimde_json("compare", "--model", path("model.json"), "--correct", "3", "--test-points", 256)
    errors = [row["error"] for row in c["error_imde"]]
    print(f"torch loss {torch_loss:.6g}, nimde eval {e['train_loss']:.6g}; Error(f_theta, f) {c['error_true']:.4g}, "
          f"vs f_h^[n] {errors}, corrected {c['corrected']['error']:.4g}")
    # Even this short fit is Euler's IMDE rather than f: its distance to f is mostly h/2 f'f.
    assert errors[1] < 0.5 * c["error_true"] and c["corrected"]["error"] < 0.5 * c["error_true"]


def loss():
    """A model trained by `nimde train`, imported: PyTorch's loss on nimde's data set is the
    training loss `nimde eval` reports."""
    points, seed = 128, 2
    for dtype in ("f64", "f32"):
        out = path(f"run_{dtype}")
        run(nimde, "train", "--system", "pendulum", "--method", "midpoint", "--steps", 2, "--points", points,
            "--test-points", 64, "--width", 12, "--iters", 60, "--optimizer", "lbfgs", "--dtype", dtype,
            "--seed", seed, "--threads", 1, "--out", out)
        run(nimde, "data", "--system", "pendulum", "--points", points, "--test-points", 64, "--seed", seed,
            "--out", path("data"))
        pairs = torch.tensor([[float(v) for v in line.split(",")] for line in open(path("data/train.csv")).read().splitlines()[2:]],
                             dtype=torch.float64)
        x, y = pairs[:, :2].double(), pairs[:, 2:].double()
        net, meta = tb.load_model(os.path.join(out, "model.json"), dtype=torch.float64)
        h = meta["T"] / meta["steps"]
        z = x
        for _ in range(meta["steps"]):  # explicit midpoint
            z = z + h * net(z + h / 2 * net(z))
        torch_loss = torch.mean((z - y) ** 2).item()
        nimde_loss = nimde_json("eval", "--model", os.path.join(out, "model.json"), "--test-points", 64)["train_loss"]
        print(f"{dtype}: torch {torch_loss!r}, nimde eval {nimde_loss!r}")
        assert abs(torch_loss - nimde_loss) <= 1e-12 * nimde_loss, (torch_loss, nimde_loss)
        # The weights re-export to the same numbers. nimde keeps an f32 run's weights in double
        # (the optimiser's master copy) and rounds them to float for each step; load_model
        # rounds them so too unless asked for float64.
        exported = tb.model_json(net, names=meta["names"], method=meta["method"], T=meta["T"], steps=meta["steps"],
                                 system="pendulum")
        assert exported["layers"] == json.load(open(os.path.join(out, "model.json")))["layers"]
        native, _ = tb.load_model(os.path.join(out, "model.json"))
        assert next(native.parameters()).dtype == (torch.float32 if dtype == "f32" else torch.float64)
        assert all(torch.equal(a, b.to(a.dtype)) for a, b in zip(native.parameters(), net.parameters()))

{"roundtrip": roundtrip, "refusals": refusals, "example": example, "loss": loss}[case]()
print(f"{case}: passed")
