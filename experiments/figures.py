"""Draw the figures of `nimde reproduce` from its tables.

Usage:
    /usr/bin/python3 experiments/figures.py DIR

Reads the CSV tables in DIR/tables/ (written by `nimde reproduce --out DIR`; their
format is documented in the project README) and writes DIR/figures/<name>.png
(150 dpi) and DIR/figures/<name>.pdf for every table present. Absent tables are
skipped with a note, so a partial preset gives the figures it has data for.
Needs only the standard library, numpy and matplotlib.
"""

import csv
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

plt.rcParams.update({
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.5,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

# The paper's colours: true field grey, truncated IMDE red, learned field blue dashed.
CURVES = {
    "true": dict(color="0.6", lw=2.0, ls="-", label=r"true $f$"),
    "imde": dict(color="tab:red", lw=1.3, ls="-", label=r"truncated IMDE $f_h$"),
    "learned": dict(color="tab:blue", lw=1.5, ls="--", label=r"learned $f_\theta$"),
}
SYSTEMS = {"pendulum": "PD", "cubic-oscillator": "DO", "lorenz": "LS", "van-der-pol": "VdP", "kepler": "Kepler", "duffing": "Duffing", "lotka-volterra": "LV"}
METHODS = {"euler": "Euler", "midpoint": "midpoint", "rk4": "RK4", "kutta3": "Kutta3",
           "implicit-midpoint": "implicit midpoint"}
METHOD_COLOURS = {"euler": "#1b9e77", "midpoint": "#d95f02", "rk4": "#7570b3",
                  "kutta3": "#e7298a", "implicit-midpoint": "#66a61e"}
ORDERS = {"euler": 1, "midpoint": 2, "kutta3": 3, "rk4": 4, "implicit-midpoint": 2}
NUMERIC = ("T", "S", "h", "seed", "x", "value")


# ---------------------------------------------------------------- reading

def read_table(path):
    """The rows of a table as dicts; numeric columns as floats, empty cells as None."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in NUMERIC:
            v = (r.get(k) or "").strip()
            r[k] = float(v) if v else None
    return rows


def read_fits(path):
    """fits.csv as {(series, quantity): value}; empty if the table is absent."""
    if not os.path.exists(path):
        return {}
    return {(r["series"], r["quantity"]): r["value"] for r in read_table(path)}


def finite(v):
    return v is not None and math.isfinite(v)


def select(rows, **match):
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def group(rows, key):
    """Rows grouped by key(row), in order of first appearance."""
    out = {}
    for r in rows:
        out.setdefault(key(r), []).append(r)
    return out


def run_key(r):
    return r["run_id"] or (r["system"], r["method"], r["T"], r["S"], r["seed"])


def step(r):
    return r["h"] if finite(r["h"]) else r["T"] / r["S"]


def curve(rows):
    """(x, value) of series rows sorted by x, without non-finite points."""
    pts = sorted((r["x"], r["value"]) for r in rows if finite(r["x"]) and finite(r["value"]))
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


def by_x(rows, x, positive=False):
    """Mean, min and max of the finite values grouped by x(row), sorted by x."""
    vals = defaultdict(list)
    for r in rows:
        if finite(r["value"]) and (r["value"] > 0 or not positive):
            vals[x(r)].append(r["value"])
    xs = sorted(vals)
    stats = np.array([[np.mean(vals[k]), min(vals[k]), max(vals[k])] for k in xs]).reshape(-1, 3)
    return np.array(xs), stats[:, 0], stats[:, 1], stats[:, 2]


# ---------------------------------------------------------------- labels

def fmt(v):
    return f"{v:.3g}"


def system_label(s):
    return SYSTEMS.get(s, s)


def method_label(m):
    return METHODS.get(m, m)


def method_colour(m, i=0):
    return METHOD_COLOURS.get(m, f"C{i % 10}")


def ordered(keys, preferred):
    keys = list(keys)
    return [k for k in preferred if k in keys] + [k for k in keys if k not in preferred]


def setting(r):
    return f"{method_label(r['method'])}, S = {r['S']:g} (h = {fmt(step(r))})"


def log_axes(ax, x_is_step=True):
    """Log-log axes; a step axis gets plain tick labels at 1, 2 and 5 times powers of ten."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    if x_is_step:
        ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())


# ---------------------------------------------------------------- figures

def top_legend(fig, handles):
    """One legend for the whole figure, in a row above the panels."""
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))


def curve_legend(fig, *extra):
    top_legend(fig, [Line2D([], [], **style) for style in CURVES.values()] + list(extra))


def figure1(rows, fits):
    """Trajectories of the first component: true field, truncated IMDE, learned field."""
    by_system = defaultdict(list)
    for rs in group(rows, run_key).values():
        by_system[rs[0]["system"]].append(rs)
    systems = ordered(by_system, SYSTEMS)
    nrow = max(len(v) for v in by_system.values())
    fig, axes = plt.subplots(nrow, len(systems), figsize=(4 * len(systems), 2.7 * nrow),
                             squeeze=False)
    for j, system in enumerate(systems):
        for i in range(nrow):
            ax = axes[i][j]
            if i >= len(by_system[system]):
                ax.set_visible(False)
                continue
            rs = by_system[system][i]
            for series, style in CURVES.items():
                t, y = curve(select(rs, series=series))
                if len(t):
                    ax.plot(t, y, **style)
                    ax.set_xlim(t[0], t[-1])
            ax.set_title(f"{system_label(system)}: {setting(rs[0])}")
            ax.set_ylabel(rs[0]["quantity"])
            if i == len(by_system[system]) - 1:
                ax.set_xlabel("t")
    curve_legend(fig)
    return fig


def sweep_panel(ax, rows, sweep, method, fits, fit_key):
    """One panel of Figure 2: errors against the step, mean and min-max over seeds."""
    rows = select(rows, series=sweep, method=method)
    xkey = (lambda r: r["T"]) if sweep == "T-sweep" else step
    in_fit = {}
    for rs in group(rows, run_key).values():
        flags = [r["value"] for r in rs if r["quantity"] == "in_fit" and finite(r["value"])]
        x = xkey(rs[0])
        in_fit[x] = in_fit.get(x, False) or (not flags or max(flags) > 0.5)
    for quantity, colour, marker in (("error_true", "tab:blue", "o"),
                                     ("error_imde", "tab:red", "s")):
        x, mean, lo, hi = by_x(select(rows, quantity=quantity), xkey, positive=True)
        if not len(x):
            continue
        fit = np.array([in_fit.get(v, True) for v in x])
        ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], color=colour, lw=1.2,
                    elinewidth=0.9, capsize=2.5)
        ax.plot(x[fit], mean[fit], marker, color=colour, ms=5)
        ax.plot(x[~fit], mean[~fit], marker, color=colour, ms=5, mfc="white")
        if quantity == "error_true" and fit.any():
            p = fits.get((fit_key, "expected"), ORDERS.get(method, 1))
            c = 0.4 * np.exp(np.mean(np.log(mean[fit]) - p * np.log(x[fit])))
            xr = np.array([x.min(), x.max()])
            ax.plot(xr, c * xr ** p, ":", color="0.35", lw=1.3)
    log_axes(ax)
    slope = fits.get((fit_key, "slope"))
    p = fits.get((fit_key, "expected"), ORDERS.get(method))
    text = [f"fitted slope {slope:.2f}" if finite(slope) else None,
            f"reference slope {p:g}" if p is not None else None]
    ax.text(0.04, 0.96, "\n".join(t for t in text if t), transform=ax.transAxes,
            va="top", ha="left", fontsize=8.5)
    title = f"{method_label(method)}, {sweep}"
    held = "S" if sweep == "T-sweep" else "T"  # the one held fixed along the sweep
    fixed = {r[held] for r in rows}
    if len(fixed) == 1:
        title += f" ({held} = {fixed.pop():g})"
    if rows:
        title = f"{system_label(rows[0]['system'])}: {title}"
    ax.set_title(title)
    ax.set_xlabel("T" if sweep == "T-sweep" else "h = T/S")
    ax.set_ylabel("error")


def sweep_handles():
    return [Line2D([], [], color="tab:blue", marker="o", label=r"Error($f_\theta$, $f$)"),
               Line2D([], [], color="tab:red", marker="s", label=r"Error($f_\theta$, $f_h$)"),
               Line2D([], [], color="0.35", ls=":", label="reference slope"),
               Line2D([], [], color="0.3", marker="o", mfc="white", ls="none",
                      label="not in the fit")]


def sweep_figure(rows, fits, experiment, sweeps):
    methods = ordered({r["method"] for r in rows}, ["euler", "midpoint"])
    sweeps = [s for s in sweeps if select(rows, series=s)]
    fig, axes = plt.subplots(len(sweeps), len(methods), squeeze=False,
                             figsize=(4.6 * len(methods), 3.8 * len(sweeps)))
    for i, sweep in enumerate(sweeps):
        for j, method in enumerate(methods):
            sweep_panel(axes[i][j], rows, sweep, method, fits, f"{experiment}/{sweep}/{method}")
    top_legend(fig, sweep_handles())
    return fig


def figure2(rows, fits):
    """Errors against the step, T-sweep (top) and S-sweep (bottom)."""
    return sweep_figure(rows, fits, "figure2", ["T-sweep", "S-sweep"])


def ext_system(rows, fits):
    """Figure 2's T-sweep for another system."""
    return sweep_figure(rows, fits, "ext-system", ["T-sweep"])


def figure3(rows, fits):
    """Phase portraits (q, p) and energy against t of two pendulum models."""
    runs = list(group(rows, run_key).values())
    fig, axes = plt.subplots(len(runs), 2, figsize=(10, 4 * len(runs)), squeeze=False)
    for (phase, energy), rs in zip(axes, runs):
        for series, style in CURVES.items():
            s = select(rs, series=series)
            p = dict(zip(*curve(select(s, quantity="p"))))
            q = dict(zip(*curve(select(s, quantity="q"))))
            t = sorted(set(p) & set(q))
            if t:
                phase.plot([q[k] for k in t], [p[k] for k in t], **style)
                if series == "true":
                    phase.plot(q[t[0]], p[t[0]], "o", color="k", ms=5, zorder=5)
            t, h = curve(select(s, quantity="energy"))
            if len(t):
                energy.plot(t, h, **style)
                energy.set_xlim(t[0], t[-1])
        name = f"{system_label(rs[0]['system'])}: {setting(rs[0])}"
        phase.set_title(f"{name}, phase portrait")
        phase.set_xlabel("q")
        phase.set_ylabel("p")
        energy.set_title(f"{name}, energy")
        energy.set_xlabel("t")
        energy.set_ylabel(r"$H(p, q) = p^2/2 - 10\cos q$")
    curve_legend(fig, Line2D([], [], color="k", marker="o", ls="none", ms=5, label="start"))
    return fig


def ext_order(rows, fits):
    """Error to the IMDE truncated at order N, against N, for high-order methods."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    groups = group(rows, lambda r: (r["method"], r["T"], r["S"]))
    seen = defaultdict(int)  # runs of one method differ by marker and line style
    for i, ((method, T, S), rs) in enumerate(groups.items()):
        colour = method_colour(method, i)
        k = seen[method]
        seen[method] += 1
        x, mean, _, _ = by_x([r for r in rs if r["quantity"].startswith("error_imde") and finite(r["x"])],
                             lambda r: int(round(r["x"])), positive=True)
        ax.plot(x, mean, color=colour, marker="os^vD"[k % 5], ls=["-", "--", "-."][k % 3],
                label=f"{method_label(method)}, h = {fmt(step(rs[0]))}")
        floor = [r["value"] for r in select(rs, quantity="floor") if finite(r["value"])]
        if floor and np.mean(floor) > 0:
            ax.axhline(np.mean(floor), color=colour, ls=":", lw=1.2)
    if any(r["quantity"] == "floor" for r in rows):
        ax.plot([], [], ":", color="0.4", label="floor")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("IMDE truncation order N")
    ax.set_ylabel(r"Error($f_\theta$, $f_h^{[N]}$)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    fig.tight_layout()
    return fig


def ext_symplectic(rows, fits):
    """Energy error of long rollouts, and the divergence of learned field and IMDE."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    methods = list(group(rows, lambda r: r["method"]))
    bars = []
    for i, method in enumerate(methods):
        rs = select(rows, method=method)
        colour = method_colour(method, i)
        x, mean, _, _ = by_x(select(rs, series="rollout", quantity="energy_error"),
                             lambda r: r["x"], positive=True)
        drift = [r["value"] for r in select(rs, quantity="drift_rate") if finite(r["value"])]
        label = method_label(method) + (f" (drift rate {np.mean(drift):.2g})" if drift else "")
        if len(x):
            left.plot(x, mean, color=colour, lw=1.3, label=label)
        bars.append([np.mean([r["value"] for r in select(rs, quantity=q) if finite(r["value"])]
                             or [np.nan]) for q in ("div_learned", "div_imde")])
    left.set_yscale("log")
    left.set_xlabel("t")
    left.set_ylabel(r"max over starts of $|H(y(t)) - H(y(0))|$")
    left.set_title(r"energy error along the flow of $f_\theta$")
    left.legend(framealpha=0.9)
    bars = np.array(bars).reshape(-1, 2)
    pos = np.arange(len(methods))
    right.bar(pos - 0.2, bars[:, 0], 0.4, color="tab:blue", label=r"mean $|\mathrm{div}\, f_\theta|$")
    right.bar(pos + 0.2, bars[:, 1], 0.4, color="tab:red", label=r"mean $|\mathrm{div}\, f_h|$")
    right.set_xticks(pos, [method_label(m) for m in methods])
    right.set_yscale("log")
    for k, v in np.ndenumerate(bars):  # a zero bar has no height on a log axis
        if not v > 0:
            right.text(pos[k[0]] + (0.4 * k[1] - 0.2), 0.01, "0" if v == 0 else "n/a",
                       transform=right.get_xaxis_transform(), ha="center", va="bottom")
    right.set_ylabel("mean |divergence|")
    right.set_title("divergence of learned field and IMDE")
    right.legend(framealpha=0.9)
    fig.tight_layout()
    return fig


def ext_correct(rows, fits):
    """Error to the true field of f_theta and of its corrections, against T."""
    fig, ax = plt.subplots(figsize=(6, 4.4))
    quantities = ["error_true"] + sorted(q for q in {r["quantity"] for r in rows} if q != "error_true")
    corrected = [q for q in quantities if q != "error_true"]
    colours = dict(zip(corrected, plt.cm.viridis(np.linspace(0.2, 0.85, max(len(corrected), 1)))))
    for q in quantities:
        x, mean, lo, hi = by_x(select(rows, quantity=q), lambda r: r["T"], positive=True)
        if not len(x):
            continue
        colour = "tab:blue" if q == "error_true" else colours[q]
        label = (r"uncorrected $f_\theta$" if q == "error_true"
                 else f"corrected, N = {q.rsplit('_', 1)[-1]}")
        ax.fill_between(x, lo, hi, color=colour, alpha=0.15, lw=0)
        ax.plot(x, mean, "o-", color=colour, ms=4, label=label)
    log_axes(ax)
    ax.set_xlabel("T")
    ax.set_ylabel(r"error to the true field $f$")
    r0 = rows[0]
    ax.set_title(f"{system_label(r0['system'])}: {method_label(r0['method'])}, T-sweep, "
                 "mean and range over seeds")
    ax.legend(framealpha=0.9)
    fig.tight_layout()
    return fig


def ext_certify(rows, fits):
    """Loss under an accurate solver over the training loss, against h."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    points = defaultdict(list)
    for rs in group(rows, run_key).values():
        v = {r["quantity"]: r["value"] for r in rs}
        if finite(v.get("train_loss")) and finite(v.get("accurate_loss")) and v["train_loss"] > 0:
            points[rs[0]["method"]].append(
                (step(rs[0]), v["accurate_loss"] / v["train_loss"], v.get("fits_solver") == 1))
    for i, (method, pts) in enumerate(points.items()):
        colour = method_colour(method, i)
        h, ratio, ok = (np.array(a) for a in zip(*pts))
        ax.scatter(h[ok], ratio[ok], color=colour, s=28)
        ax.scatter(h[~ok], ratio[~ok], facecolors="none", edgecolors=colour, s=28)
        ax.plot([], [], "s", color=colour, label=method_label(method))
    ax.axhline(10, color="0.4", ls="--", lw=1.2, label="threshold 10")
    ax.plot([], [], "o", color="0.3", label="fits_solver = 1")
    ax.plot([], [], "o", color="0.3", mfc="none", label="fits_solver = 0")
    log_axes(ax)
    ax.set_xlabel("h = T/S")
    ax.set_ylabel("accurate loss / training loss")
    ax.legend(framealpha=0.9, loc="best")
    fig.tight_layout()
    return fig


def ext_gradients(rows, fits):
    """Discretize-then-optimize against adjoint gradients, against h."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, method in enumerate(group(rows, lambda r: r["method"])):
        rs = select(rows, method=method)
        colour = method_colour(method, i)
        slope = fits.get((f"ext-gradients/{method}", "slope"))
        label = method_label(method) + (f" (fitted order {slope:.2f})" if finite(slope) else "")
        x, mean, _, _ = by_x(select(rs, quantity="adjoint_vs_dto"), step, positive=True)
        left.plot(x, mean, "o-", color=colour, ms=4, label=label)
        cos = [dict(r, value=1 - r["value"]) for r in select(rs, quantity="cosine")
               if finite(r["value"])]
        x, mean, _, _ = by_x(cos, step, positive=True)
        right.plot(x, mean, "o-", color=colour, ms=4, label=method_label(method))
    for ax in (left, right):
        log_axes(ax)
        ax.set_xlabel("h")
        ax.legend(framealpha=0.9)
    left.set_ylabel("relative distance")
    left.set_title("adjoint gradient against discretize-then-optimize")
    right.set_ylabel("1 - cosine")
    right.set_title("angle between the two gradients")
    fig.tight_layout()
    return fig


def ext_hnn(rows, fits):
    """Hamiltonian networks: loss against h beside the Neural ODE, H_theta against H_h, rollout."""
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 5.4))
    losses = select(rows, quantity="train_loss")
    methods = ordered(group(losses, lambda r: r["method"]), ["implicit-midpoint", "midpoint", "euler", "rk4"])
    for i, method in enumerate(methods):
        colour = method_colour(method, i)
        for kind, style in (("hnn", dict(ls="-", marker="o")), ("node", dict(ls="--", marker="s", alpha=0.6))):
            x, y = curve(select(losses, method=method, series=kind))
            if len(x):
                slope = fits.get((f"ext-hnn/{method}", "slope")) if kind == "hnn" else None
                label = (f"{method_label(method)}, {'HNN' if kind == 'hnn' else 'Neural ODE'}"
                         + (f" (slope {slope:.2f})" if slope is not None else ""))
                left.plot(x, y, color=colour, lw=1.3, ms=4, label=label, **style)
    log_axes(left)
    steps = sorted({r["x"] for r in losses if finite(r["x"])})
    left.set_xticks(steps, [f"{h:g}" for h in steps])
    left.set_xlabel("h = T (S = 1)")
    left.set_ylabel("training loss")
    left.set_title("HNN (solid) and Neural ODE (dashed)")
    left.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)

    sample = select(rows, series="sample")
    cols = group(sample, lambda r: r["quantity"])
    if {"H", "H_h", "H_theta_shifted"} <= set(cols):
        by_index = lambda q: np.array([r["value"] for r in sorted(cols[q], key=lambda r: r["x"])])
        H, Hh, Ht = by_index("H"), by_index("H_h"), by_index("H_theta_shifted")
        middle.scatter(Hh - H, Ht - H, s=8, color=method_colour("implicit-midpoint"), label=r"test points")
        lo, hi = min((Hh - H).min(), (Ht - H).min()), max((Hh - H).max(), (Ht - H).max())
        middle.plot([lo, hi], [lo, hi], color="0.3", lw=1, ls=":", label=r"diagonal: $H_\theta - c = H_h$")
        middle.axhline(0, color="tab:red", lw=1, ls="--", label=r"$H_\theta - c = H$")
        r0 = sample[0]
        middle.set_title(f"implicit midpoint HNN, h = {fmt(step(r0))}")
    middle.set_xlabel(r"$H_h^{[3]} - H$")
    middle.set_ylabel(r"$H_\theta - c - H$")
    middle.legend(fontsize=8, framealpha=0.9)

    for q, label, colour in (("energy_error", r"$|H(y(t)) - H(y(0))|$", "tab:red"),
                             ("h_theta_error", r"$|H_\theta(y(t)) - H_\theta(y(0))|$", "tab:blue")):
        x, y = curve([r for r in select(rows, series="rollout", quantity=q) if finite(r["value"]) and r["value"] > 0])
        if len(x):
            right.plot(x, y, color=colour, lw=1.2, label=label)
    right.set_yscale("log")
    right.set_xlabel("t")
    right.set_ylabel("max over four starts")
    right.set_title("learned flow to t = 1000 (implicit midpoint HNN)")
    right.legend(fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig


FIGURES = [
    ("figure1", figure1), ("figure2", figure2), ("figure3", figure3),
    ("ext_order", ext_order), ("ext_symplectic", ext_symplectic), ("ext_correct", ext_correct),
    ("ext_certify", ext_certify), ("ext_gradients", ext_gradients), ("ext_system", ext_system),
    ("ext_hnn", ext_hnn),
]


# ---------------------------------------------------------------- main

def save(fig, folder, name):
    """Write <name>.png and <name>.pdf, each to a temporary name renamed into place."""
    paths = []
    for ext in ("png", "pdf"):
        path = os.path.join(folder, f"{name}.{ext}")
        tmp = os.path.join(folder, f".{name}.{ext}.{os.getpid()}.tmp")
        try:
            fig.savefig(tmp, format=ext, dpi=150)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        paths.append(path)
    return paths


def main(argv):
    if len(argv) != 2:
        print("usage: figures.py DIR", file=sys.stderr)
        return 1
    tables = os.path.join(argv[1], "tables")
    if not os.path.isdir(tables):
        print(f"figures.py: no tables folder {tables}", file=sys.stderr)
        return 1
    folder = os.path.join(argv[1], "figures")
    os.makedirs(folder, exist_ok=True)
    fits = read_fits(os.path.join(tables, "fits.csv"))
    failed = False
    for name, draw in FIGURES:
        path = os.path.join(tables, f"{name}.csv")
        if not os.path.exists(path):
            print(f"skipped {name}: {path} absent")
            continue
        rows = read_table(path)
        if not rows:
            print(f"skipped {name}: {path} has no rows")
            continue
        try:
            fig = draw(rows, fits)
            png, pdf = save(fig, folder, name)
            plt.close(fig)
        except Exception as e:  # one bad table must not cost the other figures
            plt.close("all")
            print(f"figures.py: {name} failed: {type(e).__name__}: {e}", file=sys.stderr)
            failed = True
            continue
        print(f"wrote {png} and {pdf}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
