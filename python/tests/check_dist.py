"""Checks what `make wheel` built (run by `make wheel`, part of `make test`): the wheel's tags, the
manylinux tag against the glibc symbol versions its extension really needs, the metadata, the files;
and the sdist's files. Usage: check_dist.py DIST_DIR"""

import re
import sys
import tarfile
import zipfile
from pathlib import Path


def fail(msg):
    sys.exit(f"check_dist: {msg}")


def glibc_needed(so_bytes):
    """The newest GLIBC_x.y symbol version the shared object references (its version needs)."""
    found = {tuple(map(int, m.groups())) for m in re.finditer(rb"GLIBC_(\d+)\.(\d+)", so_bytes)}
    return max(found) if found else (2, 5)


def check_wheel(path):
    m = re.fullmatch(r"lazulite-(?P<ver>[^-]+)-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl", path.name)
    if not m:
        fail(f"unexpected wheel name {path.name}")
    if (m["py"], m["abi"]) != ("cp310", "abi3"):
        fail(f"{path.name}: expected one wheel for every CPython >= 3.10 (the stable ABI: cp310-abi3)")
    plats = m["plat"].split(".")
    tags = []
    for plat in plats:
        pm = re.fullmatch(r"(?:manylinux_(\d+)_(\d+)|manylinux2014)_x86_64", plat)
        if not pm:
            fail(f"{path.name}: platform tag {plat} is not a manylinux tag")
        tags.append((2, 17) if plat.startswith("manylinux2014") else (int(pm[1]), int(pm[2])))
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        sos = [n for n in names if n.startswith("lazulite/_lazulite") and n.endswith(".so")]
        if len(sos) != 1:
            fail(f"{path.name}: expected one extension module, found {sos}")
        if not sos[0].endswith(".abi3.so"):
            fail(f"{path.name}: {sos[0]} is not a stable-ABI module")
        needed = glibc_needed(z.read(sos[0]))
        if min(tags) < needed:
            fail(f"{path.name}: claims glibc {min(tags)} but {sos[0]} needs GLIBC_{needed[0]}.{needed[1]}")
        for f in ["lazulite/__init__.py", "lazulite/_progress.py", "lazulite/linalg.py", "lazulite/fft.py"]:
            if f not in names:
                fail(f"{path.name}: {f} missing")
        info = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = z.read(info[0]).decode()
        wheel = z.read(info[0].replace("METADATA", "WHEEL")).decode()
    head, _, body = meta.partition("\n\n")
    fields = {}
    for line in head.splitlines():
        k, _, v = line.partition(": ")
        fields.setdefault(k, []).append(v)
    want = {
        "Name": ["lazulite"],
        "Requires-Python": [">=3.10"],
        "Description-Content-Type": ["text/markdown; charset=UTF-8; variant=GFM"],
    }
    for k, v in want.items():
        if fields.get(k) != v:
            fail(f"{path.name}: metadata {k} is {fields.get(k)}, expected {v}")
    if fields.get("License-Expression", fields.get("License")) != ["Apache-2.0"]:
        fail(f"{path.name}: no Apache-2.0 license in the metadata")
    for k in ["Summary", "Project-URL", "Classifier"]:
        if not fields.get(k):
            fail(f"{path.name}: metadata has no {k}")
    for want_cls in ["Programming Language :: Python :: 3.10", "Programming Language :: Python :: 3.13",
                     "Programming Language :: Rust", "Operating System :: POSIX :: Linux"]:
        if want_cls not in fields["Classifier"]:
            fail(f"{path.name}: classifiers lack {want_cls!r}")
    keywords = ",".join(fields.get("Keywords", [])).split(",")
    if "array-api" not in keywords:
        fail(f"{path.name}: metadata Keywords {keywords} lack 'array-api'")
    for url in fields["Project-URL"]:
        label, _, target = url.partition(", ")
        if not target.startswith("https://"):
            fail(f"{path.name}: Project-URL {url!r} is not 'label, https://...'")
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    if body.strip() != readme.strip():
        fail(f"{path.name}: the long description is not README.md")
    if "Root-Is-Purelib: false" not in wheel or f"Tag: {m['py']}-{m['abi']}-{plats[0]}" not in wheel:
        fail(f"{path.name}: WHEEL file does not match the name:\n{wheel}")
    print(f"check_dist: {path.name}: tags, glibc >= {needed[0]}.{needed[1]}, metadata, files ok")


def check_sdist(path):
    with tarfile.open(path) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for f in ["pyproject.toml", "README.md", "Cargo.toml", "Cargo.lock", "python/Cargo.toml",
              "python/lazulite/__init__.py", "runtime/src/lib.rs", "ir/src/lib.rs"]:
        if f not in names:
            fail(f"{path.name}: {f} missing from the sdist")
    print(f"check_dist: {path.name}: files ok")


def main(dist):
    wheels = sorted(Path(dist).glob("*.whl"))
    sdists = sorted(Path(dist).glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        fail(f"expected one wheel (cp310-abi3) and one sdist in {dist}, "
             f"found {[p.name for p in wheels + sdists]}")
    for w in wheels:
        check_wheel(w)
    check_sdist(sdists[0])


if __name__ == "__main__":
    main(sys.argv[1])
