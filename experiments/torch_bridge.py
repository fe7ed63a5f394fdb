"""PyTorch <-> nimde model files (the format of nn/model_file.hpp), so that a Neural ODE field
trained in PyTorch can be put through `nimde compare`, `eval`, `imde eval`, and a field trained
by `nimde train` can be used in PyTorch code (a plain loop, torchdiffeq's odeint).

A field here is what nimde trains: an nn.Sequential of Linear layers, each followed by at most
one activation (Tanh, Sigmoid, ReLU, ELU with alpha 1, Softplus with beta 1, this file's Sin),
mapping R^d to R^d. Anything else (other layers, a module that is not an nn.Sequential such as
torchdiffeq's ODEFunc(t, y), a time input) is refused, naming the module.

    python3 experiments/torch_bridge.py export net.pt --system pendulum --names p,q \\
        --method euler --steps 1 --T 0.04 --seed 0 --points 2000 --out model.json
    python3 experiments/torch_bridge.py export state.pt --layout linear,tanh,linear,tanh,linear ...
    python3 experiments/torch_bridge.py import model.json --out net.pt

From Python (with experiments/ on sys.path):
    from torch_bridge import load_model, save_model
    net, meta = load_model("runs/pd/model.json")    # nn.Sequential, dict (method, steps, T, ...)
    save_model(net, "model.json", system="pendulum", names=["p", "q"], method="euler", steps=1, T=0.04)

Numbers are written as Python's repr, the shortest decimal that reads back to the same double,
so weights cross in both directions bit for bit (a float32 weight is a double exactly).
PyTorch's Softplus returns x itself above x = 20 where nimde computes log(1 + e^x): the two
differ there by less than 2e-9.
"""
import argparse
import json
import math
import os
import sys

try:
    import torch
    from torch import nn
except ImportError:  # the command line says so in one line; an importer gets the ImportError
    torch = None


class BridgeError(Exception):
    """A model that cannot cross, with the offending module or key named."""


if torch is not None:
    class Sin(nn.Module):
        """sin as a layer: nimde's `sin` activation, which PyTorch has no module for."""

        def forward(self, x):
            return torch.sin(x)

    # nimde's activation name for each module type, and the module that import builds for it.
    ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU, "elu": nn.ELU,
                   "softplus": nn.Softplus, "sin": Sin}
    DTYPES = {torch.float32: "f32", torch.float64: "f64"}


def _activation_name(module, where):
    """nimde's name for an activation module, "identity" for nn.Identity, None if unsupported."""
    if isinstance(module, nn.Identity):
        return "identity"
    for name, kind in ACTIVATIONS.items():
        if type(module) is kind:
            if kind is nn.ELU and module.alpha != 1.0:
                raise BridgeError(f"module {where} ({module}): nimde's elu has alpha = 1")
            if kind is nn.Softplus and module.beta != 1:
                raise BridgeError(f"module {where} ({module}): nimde's softplus has beta = 1")
            return name
    return None


def _flatten(module, prefix=""):
    """(name, module) of every leaf of nested nn.Sequentials, named as in a state dict."""
    for name, child in module.named_children():
        if type(child) is nn.Sequential:
            yield from _flatten(child, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", child


def layers_of(net, dim=None):
    """The nimde layers [(module name, Linear, activation name)] of a field; refuses, naming the module,
    whatever is not Linear + activation, R^d -> R^d (d = dim when given)."""
    if type(net) is not nn.Sequential:
        raise BridgeError(f"{type(net).__name__} is not an nn.Sequential: only a field y -> net(y) built as "
                          "nn.Sequential(Linear, activation, ..., Linear) can be exported (a module with "
                          "forward(t, y) may wrap one: export that)")
    layers = []
    for name, m in _flatten(net):
        if type(m) is nn.Linear:
            layers.append([name, m, "identity"])
            continue
        act = _activation_name(m, name)
        if act is None:
            raise BridgeError(f"module {name} ({m}) is not supported: a field is Linear layers, each followed by "
                              f"at most one of {', '.join(ACTIVATIONS)}")
        if act == "identity":
            continue
        if not layers:
            raise BridgeError(f"module {name} ({m}) comes before the first Linear layer")
        if layers[-1][2] != "identity":
            raise BridgeError(f"module {name} ({m}) follows another activation: a layer has one")
        layers[-1][2] = act
    if not layers:
        raise BridgeError("the nn.Sequential has no Linear layer")
    first, last = layers[0], layers[-1]
    d_in, d_out = first[1].in_features, last[1].out_features
    if d_in != d_out:
        raise BridgeError(f"module {first[0]} ({first[1]}) takes {d_in} inputs but module {last[0]} ({last[1]}) "
                          f"gives {d_out} outputs: a field maps R^d to R^d (a time input is not supported)")
    if dim is not None and d_in != dim:
        raise BridgeError(f"module {first[0]} ({first[1]}) takes {d_in} inputs but the field has {dim} components")
    for i in range(1, len(layers)):
        if layers[i][1].in_features != layers[i - 1][1].out_features:
            raise BridgeError(f"module {layers[i][0]} ({layers[i][1]}) does not take the "
                              f"{layers[i - 1][1].out_features} outputs of module {layers[i - 1][0]}")
    dtypes = {p.dtype for p in net.parameters()}
    if len(dtypes) != 1 or next(iter(dtypes)) not in DTYPES:
        raise BridgeError(f"parameters in {', '.join(sorted(map(str, dtypes)))}: nimde reads float32 or float64")
    return [tuple(layer) for layer in layers]


def _finite_list(tensor, where):
    values = tensor.detach().cpu().double().tolist()
    flat = values if tensor.dim() == 1 else [v for row in values for v in row]
    if not all(math.isfinite(v) for v in flat):
        raise BridgeError(f"module {where} has a weight or bias that is not finite")
    return values


def model_json(net, *, names, method, T, steps=1, system=None, field=None, params=None, domain=None,
               seed=0, training=None):
    """The model file of `net` (a field, see layers_of) with how it was trained, as a dict."""
    if (system is None) == (field is None):
        raise BridgeError("give exactly one of system (a built-in name) and field (an expression)")
    if field is not None and not domain:
        raise BridgeError("a user field needs its sampling domain")
    if not (isinstance(steps, int) and steps >= 1):
        raise BridgeError(f"steps {steps}: must be a positive integer")
    if not (isinstance(T, (int, float)) and math.isfinite(T) and T > 0):
        raise BridgeError(f"T {T}: must be a positive number")
    if not (isinstance(seed, int) and 0 <= seed < 2**64):
        raise BridgeError(f"seed {seed}: must be an integer from 0 to 2^64 - 1")
    layers = []
    for name, linear, act in layers_of(net, len(names)):
        weight = _finite_list(linear.weight, f"{name} ({linear})")
        bias = _finite_list(linear.bias, f"{name} ({linear})") if linear.bias is not None else [0.0] * linear.out_features
        layers.append({"weight": weight, "bias": bias, "activation": act})
    j = {"format": "nimde-model", "version": 1, "dim": len(names),
         "dtype": DTYPES[next(net.parameters()).dtype], "system": system or "expression",
         "method": method, "steps": steps, "T": float(T), "seed": seed, "names": list(names),
         "layers": layers, "training": dict(training or {})}
    if field is not None:
        j.update(field=field, params=dict(params or {}), domain=[list(r) for r in domain])
    return j


def _write_atomically(path, write):
    """write(temporary path), then rename over path: a reader never sees half a file."""
    tmp = f"{path}.tmp"
    write(tmp)
    os.replace(tmp, path)


def save_model(net, path, **how):
    """Writes `net` as a nimde model file; `how` is model_json's keywords."""
    j = model_json(net, **how)

    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(j, f, indent=1, allow_nan=False)
            f.write("\n")
    _write_atomically(path, write)


def load_model(path, dtype=None):
    """(nn.Sequential, metadata) of a nimde model file: the network in the file's precision (or
    `dtype`), and every other key of the file (system, method, steps, T, names, training...)."""
    with open(path) as f:
        j = json.load(f)
    if not isinstance(j, dict) or j.get("format") != "nimde-model" or j.get("version") != 1:
        raise BridgeError(f"{path}: not a nimde model file of version 1")
    if j.get("dtype") not in ("f32", "f64"):
        raise BridgeError(f"{path}: dtype {j.get('dtype')!r} is not f32 or f64")
    if j.get("kind", "node") != "node":  # a Hamiltonian network's layers are H, not the field
        raise BridgeError(f"{path}: kind {j.get('kind')!r}: the bridge carries Neural ODE fields (kind 'node') only")
    dtype = dtype or (torch.float32 if j["dtype"] == "f32" else torch.float64)
    modules = []
    for i, layer in enumerate(j.get("layers", [])):
        for key in ("weight", "bias"):
            if key not in layer:
                raise BridgeError(f"{path}: layers[{i}].{key} is missing")
        weight = torch.tensor(layer["weight"], dtype=torch.float64).to(dtype)
        bias = torch.tensor(layer["bias"], dtype=torch.float64).to(dtype)
        if weight.dim() != 2 or weight.numel() == 0:
            raise BridgeError(f"{path}: layers[{i}].weight is not a non-empty matrix")
        if bias.shape != (weight.shape[0],):  # copy_ would broadcast a short bias silently
            raise BridgeError(f"{path}: layers[{i}].bias does not have {weight.shape[0]} entries")
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
        modules.append(linear)
        act = layer.get("activation")
        if act != "identity":
            if act not in ACTIVATIONS:
                raise BridgeError(f"{path}: layers[{i}].activation {act!r} is not one of identity, {', '.join(ACTIVATIONS)}")
            modules.append(ACTIVATIONS[act]())
    net = nn.Sequential(*modules)
    layers_of(net, j.get("dim"))
    return net, {k: v for k, v in j.items() if k != "layers"}


def sequential_from_state_dict(state, layout):
    """The nn.Sequential of `layout` ("linear,tanh,linear,...", one word per module, in the
    order of the Sequential) holding `state` (its state_dict): Linear sizes from the weights."""
    modules = []
    for i, word in enumerate(w.strip() for w in layout.split(",")):
        if word == "linear":
            key = f"{i}.weight"
            if key not in state:
                raise BridgeError(f"--layout {layout}: module {i} is linear but the state dict has no {key}")
            out_features, in_features = state[key].shape
            modules.append(nn.Linear(in_features, out_features, bias=f"{i}.bias" in state, dtype=state[key].dtype))
        elif word in ACTIVATIONS:
            modules.append(ACTIVATIONS[word]())
        else:
            raise BridgeError(f"--layout: module {i} '{word}' is not linear or one of {', '.join(ACTIVATIONS)}")
    net = nn.Sequential(*modules)
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise BridgeError(f"the state dict does not fit --layout {layout}: "
                          f"unexpected {', '.join(unexpected) or 'nothing'}; missing {', '.join(missing) or 'nothing'}")
    return net


def read_torch_file(path, layout=None):
    """The field saved in `path`: a whole nn.Sequential (torch.save(net)), or a state_dict with
    `layout` saying which modules it had."""
    try:
        obj = torch.load(path, map_location="cpu")
    except AttributeError as e:  # pickled with a class defined in the training script
        raise BridgeError(f"{path}: {e}: a module of the training script's own class cannot be read here; "
                          "save the nn.Sequential that computes the field, or its state_dict with --layout")
    if isinstance(obj, dict):
        if not all(torch.is_tensor(v) for v in obj.values()):
            raise BridgeError(f"{path}: a dict that is not a state dict (its values are not all tensors)")
        if layout is None:
            raise BridgeError(f"{path} holds a state dict: give its modules with --layout, e.g. linear,tanh,linear")
        return sequential_from_state_dict(obj, layout)
    if layout is not None:
        raise BridgeError(f"{path} holds a whole {type(obj).__name__}: --layout is only for a state dict")
    if not isinstance(obj, nn.Module):
        raise BridgeError(f"{path} holds a {type(obj).__name__}, not an nn.Module or a state dict")
    return obj


# ---- command line ------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit code 1, like nimde's
        sys.stderr.write(f"torch_bridge: error: {message} (see --help)\n")
        sys.exit(1)


def _floats(text, option):
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise BridgeError(f"{option} {text!r} is not a comma-separated list of numbers")


def _export(a):
    if (a.system is None) == (a.field is None):
        raise BridgeError("give exactly one of --system NAME and --field EXPR")
    names = a.names.split(",") if a.names else None
    if names is None and a.field is not None:  # "p' = ...; q' = ..." names its variables
        names = [eq.split("'")[0].strip() for eq in a.field.split(";") if eq.strip()]
    if not names or not all(names):
        raise BridgeError(f"--names {a.names!r}: give the component names, e.g. --names p,q")
    domain = None
    if a.domain is not None:
        domain = [_floats(r.replace(":", ","), "--domain") for r in a.domain.split(",")]
    params = {}
    for entry in a.param:
        name, _, value = entry.partition("=")
        params[name.strip()] = _floats(value, f"--param {entry}")[0]
    training = {"trained_by": f"PyTorch {torch.__version__}"}
    for key in ("iterations", "optimizer", "train_loss", "test_loss", "points", "test_points", "noise"):
        if getattr(a, key) is not None:
            training[key] = getattr(a, key)
    net = read_torch_file(a.model, a.layout)
    save_model(net, a.out, names=names, method=a.method, T=a.T, steps=a.steps, system=a.system, field=a.field,
               params=params, domain=domain, seed=a.seed, training=training)
    layers = layers_of(net)
    shape = " -> ".join([str(layers[0][1].in_features)] + [f"{l.out_features} ({act})" for _, l, act in layers])
    print(f"{a.out}: {shape}, {DTYPES[next(net.parameters()).dtype]}")


def _import(a):
    net, meta = load_model(a.model)
    obj = net.state_dict() if a.state_dict else net
    _write_atomically(a.out, lambda tmp: torch.save(obj, tmp))
    print(json.dumps(meta, indent=1))
    print(net)


def main(argv=None):
    p = _Parser(prog="torch_bridge", description="PyTorch <-> nimde model files")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="a PyTorch MLP field -> model.json")
    e.add_argument("model", help="file of torch.save(net) or of torch.save(net.state_dict())")
    e.add_argument("--layout", help="modules of a state dict's nn.Sequential, e.g. linear,tanh,linear")
    e.add_argument("--system", help="built-in system the data came from (pendulum, ...)")
    e.add_argument("--field", help="or a user field, e.g. \"p' = -10*sin(q); q' = p\"")
    e.add_argument("--param", action="append", default=[], help="parameter of --field, name=value")
    e.add_argument("--domain", help="sampling box of --field, lo1:hi1,lo2:hi2")
    e.add_argument("--names", help="component names, e.g. p,q (default for --field: its left sides)")
    e.add_argument("--method", required=True, help="method the network was trained through (euler, ...)")
    e.add_argument("--steps", type=int, default=1, help="unrolled steps S (h = T/S)")
    e.add_argument("--T", type=float, required=True, help="data step T")
    e.add_argument("--seed", type=int, default=0, help="seed of `nimde data` that made the training pairs")
    e.add_argument("--points", type=int, help="training points (so nimde eval regenerates the same set)")
    e.add_argument("--test-points", type=int)
    e.add_argument("--noise", type=float)
    e.add_argument("--iterations", type=int)
    e.add_argument("--optimizer")
    e.add_argument("--train-loss", type=float)
    e.add_argument("--test-loss", type=float)
    e.add_argument("--out", required=True, help="model file to write")
    i = sub.add_parser("import", help="model.json -> a PyTorch nn.Sequential file")
    i.add_argument("model", help="nimde model file")
    i.add_argument("--out", required=True, help="file for torch.save(net)")
    i.add_argument("--state-dict", action="store_true", help="save net.state_dict() instead of the module")
    a = p.parse_args(argv)
    if torch is None:
        sys.stderr.write("torch_bridge: error: PyTorch is not installed (Debian: apt-get install python3-torch)\n")
        return 1
    try:
        (_export if a.command == "export" else _import)(a)
    except Exception as err:  # torch.load and json raise many kinds; each becomes one line
        sys.stderr.write("torch_bridge: error: " + " ".join(str(err).split()) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    # Run through the importable module, so that a module pickled by `import` (Sin) is
    # torch_bridge.Sin, which torch.load finds again, and not __main__.Sin.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch_bridge
    sys.exit(torch_bridge.main())
