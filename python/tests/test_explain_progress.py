"""explain(): a compact summary in run order, the IR on request, Graphviz DOT (and SVG/PNG through
Graphviz's `dot`); progress reports of long computes: a terminal bar, a callback, silence."""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lazulite as lz


def test_summary_lists_steps_in_run_order_with_sizes_and_end_reasons():
    a = lz.asarray(np.ones((1024, 1024)))  # 8.0 MiB
    h = a * 2  # cheap: stored only because the matmul needs it in a buffer
    m = lz.matmul(h, h)  # an extern step between two kernels
    r = lz.sum(lz.sin(m) + h, axis=1)
    plan = lz.explain(r)
    lines = plan.splitlines()
    assert re.match(r"\d+ kernels?, 1 extern op, \d+ temporar", lines[0]), plan
    steps = [ln.split()[0] for ln in lines[1:] if ln.startswith("  ")]
    # the extern step sits between the kernel that makes its operand and the kernel that reads it
    first_extern = steps.index("extern")
    assert 0 < first_extern < len(steps) - 1 and steps.count("extern") == 1, plan
    assert "extern matmul (float64 [1024, 1024], float64 [1024, 1024]) -> float64 [1024, 1024]" in plan
    assert "reads 16.0 MiB, writes 8.0 MiB" in plan  # the matmul: two 8 MiB operands, one result
    assert "inputs: 1 array (8.0 MiB)" in plan and "transfers:" in plan and "total: reads" in plan
    ends = re.findall(r"ends: (.*)", plan)
    assert ends[-1] == "result" and "operand of an extern op" in ends, plan
    assert "load" not in plan and "[" + "0" * 3 not in plan  # no IR unless asked for


def test_end_reasons_name_the_cost_rule():
    x = lz.asarray(np.linspace(0, 1, 64))
    e = lz.exp(x)  # a transcendental read by two kernels is stored
    plan = lz.explain(e + 1, e * 2)
    assert "read by several, costly to recompute" in plan, plan


def test_ir_only_on_request():
    x = lz.asarray(np.arange(8.0))
    y = lz.sin(x) + 1
    plain, full = lz.explain(y), lz.explain(y, ir=True)
    assert len(full.splitlines()) > len(plain.splitlines())
    assert "load in0" in full and "sin" in full
    with pytest.raises(TypeError, match="explain: ir must be a bool"):
        lz.explain(y, ir=1)
    with pytest.raises(ValueError, match="explain: format must be"):
        lz.explain(y, format="pdf")


def test_dot_rendering():
    x = lz.asarray(np.ones((4, 4)))
    y = lz.matmul(x + 1, x)
    dot = lz.explain(y, format="dot")
    assert dot.startswith("digraph plan {") and dot.rstrip().endswith("}")
    assert "extern matmul" in dot and "kernel 0" in dot and "in0 -> s0" in dot and "-> out0" in dot
    assert lz.explain(y).dot == dot


def test_svg_and_png_need_graphviz(tmp_path, monkeypatch):
    y = lz.asarray(np.ones(3)) + 1
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    with pytest.raises(RuntimeError, match="Graphviz's `dot` program"):
        lz.explain(y, format="svg")
    assert lz.explain(y)._repr_svg_() is None
    # a stand-in `dot` that echoes what it is given proves the DOT text is what gets rendered
    fake = tmp_path / "dot"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    "sys.stdout.write('<svg><!-- ' + sys.argv[1] + ' -->' + sys.stdin.read())\n")
    fake.chmod(0o755)
    svg = lz.explain(y, format="svg")
    assert svg.startswith("<svg><!-- -Tsvg -->") and "digraph plan" in svg
    assert isinstance(lz.explain(y, format="png"), bytes)
    assert lz.explain(y)._repr_svg_().startswith("<svg>")


# ---- progress ------------------------------------------------------------------------------------

def chain():
    """A compute of several kernels and extern steps (a few hundred ms at most)."""
    x = lz.asarray(np.random.default_rng(0).standard_normal((256, 256)))
    for _ in range(6):
        x = lz.tanh(lz.matmul(x, x) * 0.01)
    return x


def test_callback_gets_steps_and_bytes():
    got = []
    with lz.progress(got.append, delay=0.0):
        chain().compute()
    assert got and got[-1].finished
    last = got[-1]
    assert last.kernels_done == last.kernels_total > 0 and last.externs_done == last.externs_total == 6
    assert last.bytes_done == last.bytes_total > 6 * 3 * 256 * 256 * 8
    assert all(a.elapsed <= b.elapsed and a.bytes_done <= b.bytes_done for a, b in zip(got, got[1:]))


def one_kernel():
    """A compute that is one fused elementwise kernel over 2^22 elements (64 ranges of 2^16 points)."""
    x = lz.asarray(np.linspace(0.0, 1.0, 1 << 22))
    return lz.sin(x) * lz.cos(x) + lz.exp(-x)


def test_one_long_kernel_reports_ranges_done():
    got = []
    with lz.progress(got.append, delay=0.0):
        y = one_kernel().compute()
    assert got and got[-1].finished and got[-1].kernels_done == got[-1].kernels_total == 1
    total = got[-1].bytes_total
    assert total == got[-1].bytes_done == 2 * 8 << 22  # one float64 input read, one output written
    inside = [p for p in got if not p.finished]
    # the first range done is already due (delay 0): reported from within the kernel, bytes in part
    assert inside and all(p.kernels_done == 0 and 0 < p.bytes_done < total for p in inside)
    assert all(a.elapsed <= b.elapsed and a.bytes_done <= b.bytes_done for a, b in zip(got, got[1:]))
    x = np.linspace(0.0, 1.0, 1 << 22)
    np.testing.assert_allclose(np.asarray(y), np.sin(x) * np.cos(x) + np.exp(-x), rtol=1e-12)


def test_quick_computes_report_nothing_and_off_means_off():
    got = []
    with lz.progress(got.append):  # the default delay: 1 s
        (lz.asarray(np.ones(10)) + 1).compute()
    assert got == []
    with lz.progress(False):
        chain().compute()
    with pytest.raises(TypeError, match="set_progress: mode"):
        lz.set_progress(3)
    with pytest.raises(ValueError, match="set_progress: delay"):
        lz.set_progress(True, delay=-1)


def test_bar_on_a_stream_when_asked():
    import io
    out = io.StringIO()
    with lz.progress(True, delay=0.0, file=out):
        chain().compute()
    text = out.getvalue()
    assert text.startswith("\rlazulite [") and text.endswith("\n")
    assert "6/6 extern ops" in text and "100%" in text and "MiB" in text


SCRIPT = textwrap.dedent("""
    import numpy as np, lazulite as lz
    lz.set_progress("auto", delay=0.0)
    x = lz.asarray(np.ones((128, 128)))
    for _ in range(3):
        x = lz.tanh(lz.matmul(x, x) * 0.01)
    x.compute()
    print("done")
""")

# one fused kernel: the bar moves within it ("0/1 kernels" with part of the bytes)
ONE_KERNEL_SCRIPT = textwrap.dedent("""
    import numpy as np, lazulite as lz
    lz.set_progress("auto", delay=0.0)
    x = lz.asarray(np.linspace(0.0, 1.0, 1 << 22))
    (lz.sin(x) * lz.cos(x) + lz.exp(-x)).compute()
    print("done")
""")


def run_script(on_tty, script=SCRIPT):
    env = dict(os.environ)
    if not on_tty:
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              timeout=120)
    import pty
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-c", script], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_shows_the_bar():
    out = run_script(on_tty=True)
    assert "lazulite [" in out and "3/3 extern ops" in out and "done" in out, out


def test_terminal_bar_moves_within_one_kernel():
    out = run_script(on_tty=True, script=ONE_KERNEL_SCRIPT)
    assert "0/1 kernels" in out and "1/1 kernels" in out and "100%" in out and "done" in out, out


def test_silent_when_not_a_terminal():
    done = run_script(on_tty=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done" and done.stderr == ""
