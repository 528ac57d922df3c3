"""The type stubs (``lazulite/*.pyi``) against the runtime: every public name of ``lazulite``,
``lazulite.linalg`` and ``lazulite.fft`` is declared in its stub and nothing else is, and every stubbed
function has the runtime's parameters (names, kinds, defaults as ``inspect.signature`` shows them).
The stubs are read with ``ast`` (never imported), the runtime with ``dir`` and ``inspect``.
"""

import ast
import inspect
import sys
from pathlib import Path

import pytest

import lazulite as lz

PKG = Path(lz.__file__).parent
MODULES = {"lazulite": lz, "lazulite.linalg": lz.linalg, "lazulite.fft": lz.fft}
STUBS = {
    "lazulite": PKG / "__init__.pyi",
    "lazulite.linalg": PKG / "linalg.pyi",
    "lazulite.fft": PKG / "fft.pyi",
}


def _stub_tree(mod):
    return ast.parse(STUBS[mod].read_text(), filename=str(STUBS[mod]))


def _stub_names(tree):
    """Public names a stub declares: functions, classes, annotated or assigned names, re-exports
    written ``import x as x`` / ``from . import x as x`` (the explicit re-export form)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname for a in node.names if a.asname and a.asname == a.name)
    return {n for n in names if not n.startswith("_") or (n.startswith("__") and n.endswith("__"))}


def _runtime_names(mod):
    module = MODULES[mod]
    # lazulite.chunked is a separate, optional namespace (imported on demand, not re-exported)
    names = {n for n in dir(module) if not n.startswith("_") and n != "chunked"}
    dunders = {"__version__", "__array_api_version__", "__array_namespace_info__"}
    names |= {n for n in dunders if hasattr(module, n)}
    return names


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_stub_declares_every_public_name(mod):
    stub = _stub_names(_stub_tree(mod))
    runtime = _runtime_names(mod)
    missing = sorted(runtime - stub)
    assert not missing, f"{STUBS[mod].name} lacks public names of {mod}: {missing}"
    # A stubbed name the runtime does not have would type-check and then fail at run time.
    extra = sorted(n for n in stub if not hasattr(MODULES[mod], n))
    assert not extra, f"{STUBS[mod].name} declares names {mod} does not have: {extra}"


def _stub_signature(fn: ast.FunctionDef) -> str:
    """The stub's parameters in ``inspect.Signature`` text form (annotations dropped)."""
    args = fn.args
    params = []

    def default_text(node):
        return repr(ast.literal_eval(node))

    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, (a, d) in enumerate(zip(positional, defaults)):
        if a.arg == "self":
            continue
        params.append(a.arg if d is None else f"{a.arg}={default_text(d)}")
        if i == len(args.posonlyargs) - 1:
            params.append("/")
    if args.vararg:
        params.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        params.append("*")
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        params.append(a.arg if d is None else f"{a.arg}={default_text(d)}")
    if args.kwarg:
        params.append("**" + args.kwarg.arg)
    return "(" + ", ".join(params) + ")"


def _functions(mod):
    return [n for n in _stub_tree(mod).body if isinstance(n, ast.FunctionDef)]


@pytest.mark.parametrize(
    "mod,name",
    [(m, f.name) for m in sorted(MODULES) for f in _functions(m)],
)
def test_stub_signature_matches_runtime(mod, name):
    fn = next(f for f in _functions(mod) if f.name == name)
    runtime = str(inspect.signature(getattr(MODULES[mod], name)))
    assert _stub_signature(fn) == runtime, f"{mod}.{name}: stub and runtime parameters differ"


def _array_class():
    return next(
        n for n in _stub_tree("lazulite").body if isinstance(n, ast.ClassDef) and n.name == "Array"
    )


# Array methods pyo3 defines with a signature of their own (the operators are CPython slots, whose
# parameters are positional-only and named by CPython).
ARRAY_METHODS = [
    "compute", "to_device", "__array_namespace__", "__dlpack__", "__dlpack_device__", "__array__",
    "__copy__", "__deepcopy__",
]  # fmt: skip


@pytest.mark.parametrize("name", ARRAY_METHODS)
def test_array_method_stub_matches_runtime(name):
    fn = next(n for n in _array_class().body if isinstance(n, ast.FunctionDef) and n.name == name)
    runtime = inspect.signature(getattr(lz.Array, name))
    without_self = runtime.replace(parameters=list(runtime.parameters.values())[1:])
    assert _stub_signature(fn) == str(without_self), f"Array.{name}: stub and runtime differ"


def _array_members():
    cls = next(
        n for n in _stub_tree("lazulite").body if isinstance(n, ast.ClassDef) and n.name == "Array"
    )
    members = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef):
            members.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members.add(node.target.id)
    return members


def test_array_stub_covers_the_array_api_and_lazulite_members():
    stub = _array_members()
    runtime = {n for n in dir(lz.Array) if not n.startswith("_")}
    spec_dunders = {
        "__abs__", "__add__", "__and__", "__array_namespace__", "__bool__", "__complex__",
        "__dlpack__", "__dlpack_device__", "__eq__", "__float__", "__floordiv__", "__ge__",
        "__getitem__", "__gt__", "__index__", "__int__", "__invert__", "__le__", "__lshift__",
        "__lt__", "__matmul__", "__mod__", "__mul__", "__ne__", "__neg__", "__or__", "__pos__",
        "__pow__", "__rshift__", "__setitem__", "__sub__", "__truediv__", "__xor__",
    }  # fmt: skip
    reflected = {"__r" + n[2:] for n in spec_dunders if "__r" + n[2:] in dir(lz.Array)}
    inplace = {"__i" + n[2:] for n in spec_dunders if "__i" + n[2:] in dir(lz.Array)}
    missing = sorted((runtime | spec_dunders | reflected | inplace) - stub)
    assert not missing, f"__init__.pyi's Array lacks {missing}"
    extra = sorted(n for n in stub if not hasattr(lz.Array, n))
    assert not extra, f"__init__.pyi's Array declares {extra}, which lazulite.Array does not have"
