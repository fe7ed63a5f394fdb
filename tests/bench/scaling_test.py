"""A tiny `bench/compare_torch.py --scaling` run and nimde-bench's scaling registration:
    scaling_test.py NIMDE_BENCH SOURCE_DIR
Without torch: exit 77, which CTest reports as SKIPPED. About 15 s: three cases (N = 1,000 and
2,000 at S = 1, N = 1,000 at S = 2; width 32), one thread, one repetition, a process per engine.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

if importlib.util.find_spec("torch") is None:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

bench, source = sys.argv[1], sys.argv[2]
script = os.path.join(source, "bench", "compare_torch.py")
work = tempfile.mkdtemp(prefix="nimde_scaling_")


def run(cmd, env=None, expect=0):
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    assert r.returncode == expect, f"{cmd}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


try:
    # Registration: exactly the names NIMDE_BENCH_SCALING gives; none without it; a bad one in one line.
    names = ["scaling/N1000/W32/S1/taped/omp1", "scaling/N2000/W32/S2/recompute/omp2"]
    listed = run([bench, "--benchmark_list_tests"], {"NIMDE_BENCH_SCALING": ",".join(names)}).stdout.split()
    assert [n.removesuffix("/real_time") for n in listed if n.startswith("scaling/")] == names, listed
    env = {k: v for k, v in os.environ.items() if k != "NIMDE_BENCH_SCALING"}
    plain = subprocess.run([bench, "--benchmark_list_tests"], capture_output=True, text=True, env=env).stdout
    assert "scaling/" not in plain
    bad = run([bench, "--benchmark_list_tests"], {"NIMDE_BENCH_SCALING": "scaling/N1000/W32/S1/tapped/omp1"}, expect=2)
    assert len(bad.stderr.strip().splitlines()) == 1 and "'tapped'" in bad.stderr, bad.stderr

    # Bad --scaling values are refused in one line naming the value.
    for value, says in (("1000:32", "'1000:32'"), ("1000:x:1", "'x'"), ("1000:32:0", "'0'")):
        r = run([sys.executable, script, "--scaling", value, "--bench", bench], expect=2)
        assert len(r.stderr.strip().splitlines()) == 1 and says in r.stderr, r.stderr

    # The run: the table replaces only its own section; other text survives.
    out, plot = os.path.join(work, "RESULTS.md"), os.path.join(work, "scaling.png")
    with open(out, "w") as f:
        f.write("# Results\n\nkept text\n")
    run([sys.executable, script, "--scaling", "1000:32:1,2000:32:1,1000:32:2", "--threads", "1", "--reps", "1",
         "--min-time", "0.01", "--bench", bench, "--out", out, "--plot", plot])
    text = open(out).read()
    assert text.startswith("# Results\n\nkept text\n"), text[:200]
    section = text.split("<!-- compare_torch_scaling:begin -->")[1].split("<!-- compare_torch_scaling:end -->")[0]
    rows = [line for line in section.splitlines() if re.match(r"\| [0-9,]+ \| ", line)]
    assert len(rows) == 3, section
    for row, (points, steps) in zip(rows, (("1,000", "1"), ("2,000", "1"), ("1,000", "2"))):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[:4] == [points, "32", steps, "1"], cells
        for engine, first in (("taped", 4), ("recompute", 8), ("torch", 12)):
            ms, gflops, percent, mb = cells[first:first + 4]
            assert float(ms) > 0 and float(gflops) > 0 and float(percent.rstrip(" %")) > 0, (engine, cells)
            assert float(mb.removeprefix("≤ ")) > 0, (engine, cells)
    for axis in ("N", "S"):
        line = next((l for l in section.splitlines() if l.startswith(f"- time against {axis} (")), None)
        assert line is not None, section
        slopes = re.findall(r"(nimde taped|nimde recompute|PyTorch) 1t (-?[0-9.]+)", line)
        assert [e for e, _ in slopes] == ["nimde taped", "nimde recompute", "PyTorch"], line
        float(slopes[0][1])  # a number (at these sizes and times, noise may move it far from 1)
    with open(plot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    print("scaling table, slopes and plot: ok")
finally:
    shutil.rmtree(work, ignore_errors=True)
