"""Docstrings and the documentation site's sources.

- every public function of ``lazulite``, ``lazulite.linalg`` and ``lazulite.fft``, the ``Array`` class
  and its public members have a docstring in our words with at least one example, and every example
  runs and prints what it says (doctest; NumPy shows the values, so the examples do not depend on
  lazulite's own ``repr``);
- the other public classes have a docstring;
- the user guide's examples (``docs/site/**/*.rst``) run;
- the API reference (``docs/site/api/*.rst``) lists every public function.
"""

import doctest
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

import lazulite as lz

SITE = Path(__file__).resolve().parents[2] / "docs" / "site"
MODULES = {"lazulite": lz, "lazulite.linalg": lz.linalg, "lazulite.fft": lz.fft}
# Array members documented like functions (the named ones and the protocols of the standard).
ARRAY_MEMBERS = [n for n in dir(lz.Array) if not n.startswith("_")] + [
    "__array_namespace__",
    "__dlpack__",
    "__dlpack_device__",
]


def _public(module):
    return {n: getattr(module, n) for n in dir(module) if not n.startswith("_")}


def _functions():
    out = {}
    for modname, module in MODULES.items():
        for name, obj in _public(module).items():
            if inspect.isroutine(obj):
                out[f"{modname}.{name}"] = obj
    out["lazulite.__array_namespace_info__"] = lz.__array_namespace_info__
    for name in ARRAY_MEMBERS:
        out[f"lazulite.Array.{name}"] = getattr(lz.Array, name)
    out["lazulite.Array"] = lz.Array
    return out


def _classes():
    out = {}
    for modname, module in MODULES.items():
        for name, obj in _public(module).items():
            if inspect.isclass(obj) and obj is not lz.Array:
                out[f"{modname}.{name}"] = obj
    return out


FUNCTIONS = _functions()


def _prose(doc):
    """The docstring without pyo3's text signature and without the examples."""
    doc = re.sub(r"^\w*\(.*?\)\n--\n\n", "", doc, flags=re.S)
    return "\n".join(line for line in doc.splitlines() if not line.lstrip().startswith(">>>"))


def test_every_public_function_is_covered():
    # sanity of the collection itself: the namespace's functions and both extensions are there
    assert {"lazulite.sum", "lazulite.linalg.svd", "lazulite.fft.rfft", "lazulite.Array.compute"} <= set(
        FUNCTIONS
    )
    assert len(FUNCTIONS) > 180


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_docstring_has_prose_and_an_example(name):
    doc = inspect.getdoc(FUNCTIONS[name]) or ""
    assert len(_prose(doc).split()) >= 6, f"{name}: the docstring does not say what it does"
    assert ">>>" in doc, f"{name}: the docstring has no example"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_docstring_example_runs(name):
    doc = inspect.getdoc(FUNCTIONS[name]) or ""
    test = doctest.DocTestParser().get_doctest(doc, {"lz": lz, "np": np}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.mark.parametrize("name", sorted(_classes()))
def test_public_class_has_a_docstring(name):
    doc = inspect.getdoc(_classes()[name]) or ""
    assert len(doc.split()) >= 8, f"{name}: no docstring"


@pytest.mark.parametrize(
    "page", sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.rst")), ids=str
)
def test_guide_examples_run(page):
    state = (lz.set_implicit_compute("allow"), lz.set_data_dependent_shapes(True))
    try:
        result = doctest.testfile(
            str(SITE / page),
            module_relative=False,
            globs={"lz": lz, "np": np},
            optionflags=doctest.ELLIPSIS,
            verbose=False,
            report=True,
        )
    finally:
        lz.set_implicit_compute(state[0])
        lz.set_data_dependent_shapes(state[1])
    assert result.failed == 0


def test_api_reference_lists_every_public_function():
    listed = set()
    for page in (SITE / "api").glob("*.rst"):
        text = page.read_text()
        module = "lazulite"
        for line in text.splitlines():
            m = re.match(r"\.\. currentmodule:: ([\w.]+)", line)
            if m:
                module = m.group(1)
            m = re.match(r"\.\. autofunction:: ([\w.]+)", line)
            if m:
                name = m.group(1)
                listed.add(name if name.startswith("lazulite") else f"{module}.{name}")
    wanted = {n for n, f in FUNCTIONS.items() if not n.startswith("lazulite.Array")}
    missing = sorted(wanted - listed)
    assert not missing, f"docs/site/api/*.rst does not list {missing}"
