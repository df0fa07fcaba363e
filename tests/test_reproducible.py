"""Same input, same bytes: the whole site (and its release/ folder) built twice, in other folders, on other days, is identical.

The second build runs ``python build.py --site <other folder>`` in a fresh process with another clock
(SOURCE_DATE_EPOCH, which MkDocs reads for its dates), time zone and hash seed, so anything that
leaks a path, a date, a set's order or a random id into the output shows up as a differing file.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from ashyq.publish import manifest, release
from ashyq.publish.offline import stored_bytes

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(built_site, tmp_path, datasets_dir):
    other = tmp_path / "another" / "checkout" / "public"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "978307200",  # 2001-01-01
           "TZ": "Asia/Almaty", "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "build.py", "--datasets", str(datasets_dir), "--site", str(other), "--quiet"],
                   cwd=ROOT, env=env, check=True)
    # The Release first: its zip's hash and tag are written into the site's downloads pages.
    for one, two in ((release.release_dir(built_site), release.release_dir(other)), (built_site, other)):
        first, second = tree(one), tree(two)
        assert first and sorted(first) == sorted(second)
        differing = [path for path in first if first[path] != second[path]]
        details = {path: zip_differences(one / path, two / path) for path in differing if path.endswith(".zip")}
        assert differing == [], f"{len(differing)} file(s) differ, first ones: {differing[:20]}; in zips: {details}"


def zip_differences(one: Path, two: Path) -> list[str]:
    """The entries whose stored bytes differ (names, sizes, CRCs and deflated bytes), or the first
    difference of the listing: what to look at when two zips differ."""
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        names = [info.filename for info in a.infolist()]
        if names != [info.filename for info in b.infolist()]:
            return ["the entries differ in name or order"]
        return [f"{name}: {a.getinfo(name).compress_size} / {b.getinfo(name).compress_size} bytes deflated"
                + ("" if a.getinfo(name).CRC == b.getinfo(name).CRC else ", other content")
                for name in names if stored_bytes(a, a.getinfo(name)) != stored_bytes(b, b.getinfo(name))][:5]


def test_manifest_of_the_built_site_checks_every_file(built_site):
    result = subprocess.run(["sha256sum", "--check", "--strict", "--quiet", manifest.CHECKSUMS], cwd=built_site,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = (built_site / manifest.CHECKSUMS).read_text(encoding="utf-8").count("\n")
    assert listed == len(tree(built_site)) - 1


def test_manifest_names_every_input_package_with_its_hash(built_site, datasets_dir):
    inputs = json.loads((built_site / manifest.MANIFEST).read_text(encoding="utf-8"))["inputs"]
    packages = sorted(p.name for p in datasets_dir.iterdir() if (p / "datapackage.json").is_file())
    assert [entry["id"] for entry in inputs] == packages
    for entry in inputs:
        files = [f["path"] for f in entry["files"]]
        listing = subprocess.run(["sha256sum", *files], cwd=datasets_dir / entry["id"], capture_output=True,
                                 check=True).stdout
        assert entry["sha256"] == hashlib.sha256(listing).hexdigest(), entry["id"]
        descriptor = json.loads((datasets_dir / entry["id"] / "datapackage.json").read_text(encoding="utf-8"))
        assert set(files) == {"datapackage.json", *(r["path"] for r in descriptor["resources"])}
