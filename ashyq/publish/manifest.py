"""The site's manifest: every file with its SHA-256 and size, and the hash of every input package.

Anyone can rebuild the site from the same packages and compare. Two files, both deterministic (no
dates, sorted by path):

- ``manifest.json``: Ashyq version, input package hashes, and every file except itself and SHA256SUMS;
- ``SHA256SUMS``: ``sha256sum`` format for every file except itself (manifest.json included), so
  ``sha256sum -c SHA256SUMS`` checks a downloaded copy with standard tools.

A package hash is the SHA-256 of the ``sha256sum`` listing of its datapackage.json and resource files,
sorted by path: ``cd datasets/<id> && sha256sum $(LC_ALL=C sort <files>) | sha256sum``.
"""
from __future__ import annotations

import hashlib
import json
import os
import tomllib
from importlib import metadata
from pathlib import Path

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
MANIFEST_FORMAT = "ashyq-site-manifest/1"
_CHUNK = 1 << 20


def write_manifest(site_dir: Path, packages, known: dict[str, dict] | None = None,
                   paths: list[str] | None = None) -> dict:
    """Write manifest.json and SHA256SUMS into ``site_dir``; return the manifest.

    ``known``: ``{path: {path, sha256, size}}`` of files already hashed (and not changed since); the
    other files are read and hashed here. ``paths``: the site's files, sorted, if already listed.
    """
    site_dir = Path(site_dir)
    known = known or {}
    files = [known.get(path) or file_entry(site_dir, path)
             for path in (list_files(site_dir) if paths is None else paths) if path not in (MANIFEST, CHECKSUMS)]
    manifest_bytes, checksums_bytes = manifest_files(files, packages)
    (site_dir / MANIFEST).write_bytes(manifest_bytes)
    (site_dir / CHECKSUMS).write_bytes(checksums_bytes)
    return json.loads(manifest_bytes)


def manifest_files(files: list[dict], packages) -> tuple[bytes, bytes]:
    """The bytes of manifest.json and SHA256SUMS for ``files`` (``{path, sha256, size}``, sorted by path)."""
    manifest = {
        "format": MANIFEST_FORMAT,
        "generator": "ashyq",
        "ashyq_version": ashyq_version(),
        "hash": "sha256",
        "inputs": [package_hash(package.id, package.directory, package.resource_paths.values())
                   for package in sorted(packages, key=lambda p: p.id)],
        "files": files,
    }
    manifest_bytes = to_json_bytes(manifest)
    own = {"path": MANIFEST, "sha256": sha256_bytes(manifest_bytes), "size": len(manifest_bytes)}
    listed = sorted(files + [own], key=lambda entry: entry["path"])
    return manifest_bytes, checksums_text(listed).encode("utf-8")


def hash_tree(folder: Path) -> list[dict]:
    """``{path, sha256, size}`` for every file under ``folder``, sorted by POSIX path."""
    return [file_entry(folder, path) for path in list_files(folder)]


def list_files(folder: Path) -> list[str]:
    """The POSIX paths of every file under ``folder``, sorted; like ``rglob`` + ``is_file``, folder
    symlinks are not entered. os.scandir, not rglob: on a 100,000-folder site rglob costs 10 s more."""
    found, pending = [], [("", os.fspath(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file():
                    found.append(prefix + entry.name)
    return sorted(found)


def file_entry(folder: Path, relative: str) -> dict:
    path = Path(folder) / relative
    return {"path": relative, "sha256": sha256_file(path), "size": path.stat().st_size}


def package_hash(package_id: str, directory: Path, resource_files) -> dict:
    """The input package's files (datapackage.json + resources, sorted) and one hash over them."""
    directory = Path(directory)
    relative = {"datapackage.json"}
    relative.update(Path(p).resolve().relative_to(directory.resolve()).as_posix() for p in resource_files)
    files = [file_entry(directory, path) for path in sorted(relative)]
    return {"id": package_id, "sha256": sha256_bytes(checksums_text(files).encode("utf-8")), "files": files}


def checksums_text(entries: list[dict]) -> str:
    """The ``sha256sum`` output format: hash, two spaces, path, newline."""
    for entry in entries:
        if "\n" in entry["path"] or "\\" in entry["path"]:  # sha256sum would escape these; we don't
            raise ValueError(f"file name not allowed in a published site: {entry['path']!r}")
    return "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in entries)


def to_json_bytes(value) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ashyq_version() -> str:
    """pyproject.toml's version in a source checkout (the truth there), else the installed one."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "ashyq":
            return project["version"]
    return metadata.version("ashyq")
