"""mypy over the package's stubs and two samples (``python/tests/typing/``):

- the stubs themselves are consistent (``mypy --strict`` on ``lazulite/*.pyi``);
- ``pass_*.py`` type-checks under ``--strict``;
- ``fail_*.py`` reports exactly the errors its ``# E: <code>`` markers announce, line by line;
- ``reveal_type`` of namespace functions and results shows real types, never ``Any``.
"""

import re
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is installed by python/requirements-dev.txt")

import lazulite as lz  # noqa: E402

HERE = Path(__file__).resolve().parent / "typing"
PKG = Path(lz.__file__).resolve().parent
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<msg>.*)  \[(?P<code>[\w-]+)\]$")


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    cache = tmp_path_factory.mktemp("mypy-cache")

    def run(*args):
        stdout, stderr, status = mypy_api.run(
            ["--strict", "--show-error-codes", "--no-color-output", "--no-error-summary",
             "--cache-dir", str(cache), *map(str, args)]
        )  # fmt: skip
        return stdout + stderr, status

    return run


def test_stubs_are_consistent(mypy):
    out, status = mypy(*sorted(PKG.glob("*.pyi")))
    assert status == 0, out


@pytest.mark.parametrize("sample", sorted(p.name for p in HERE.glob("pass_*.py")))
def test_sample_type_checks(mypy, sample):
    out, status = mypy(HERE / sample)
    assert status == 0, out


@pytest.mark.parametrize("sample", sorted(p.name for p in HERE.glob("fail_*.py")))
def test_sample_reports_each_deliberate_error(mypy, sample):
    path = HERE / sample
    expected = {
        (i, code)
        for i, line in enumerate(path.read_text().splitlines(), 1)
        for code in re.findall(r"# E: ([\w-]+)", line)
    }
    assert len(expected) >= 10
    out, status = mypy(path)
    reported = {(int(m["line"]), m["code"]) for m in map(ERROR.match, out.splitlines()) if m}
    assert status == 1, out
    assert sorted(expected - reported) == [], f"mypy missed deliberate errors:\n{out}"
    assert sorted(reported - expected) == [], f"mypy reported errors nobody marked:\n{out}"


def test_revealed_types_are_precise(mypy, tmp_path):
    sample = tmp_path / "reveal.py"
    sample.write_text(
        "import lazulite as lz\n"
        "x = lz.asarray([1.0])\n"
        "reveal_type(lz.sum)\n"
        "reveal_type(lz.sum(x))\n"
        "reveal_type(lz.linalg.svd(x))\n"
        "reveal_type(lz.fft.fft)\n"
        "reveal_type(x.shape)\n"
        "reveal_type(lz.float32)\n"
    )
    out, status = mypy(sample)
    assert status == 0, out
    revealed = re.findall(r'Revealed type is "(.*)"', out)
    assert len(revealed) == 6, out
    assert all("Any" not in r for r in revealed), out
    assert revealed[0].startswith("def (lazulite.Array, *, axis: "), revealed[0]
    assert revealed[1] == "lazulite.Array"
    assert "SVDResult" in revealed[2]
    assert revealed[4] in ("tuple[int, ...]", "builtins.tuple[builtins.int, ...]")
    assert revealed[5] == "lazulite.dtype"
