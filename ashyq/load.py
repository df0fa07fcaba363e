"""Stage 1, load: find the election Data Packages and resolve their files safely.

Nothing here reads a resource's data: a path that leaves the package directory (``../../etc/passwd``,
an absolute path, a URL) is refused before anything could open it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .problems import InputError, Problem

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class ElectionPackage:
    id: str  # the folder name, used in URLs
    directory: Path
    descriptor: dict
    resource_paths: dict[str, Path]  # resource name → file inside ``directory``

    @property
    def election(self) -> dict:
        return self.descriptor.get("election", {})

    def title(self, lang: str = "en") -> str:
        titles = self.election.get("title", {})
        return titles.get(lang) or titles.get("en") or self.descriptor.get("title") or self.id


def load_packages(datasets_dir: Path) -> list[ElectionPackage]:
    """Every ``datasets/<election-id>/datapackage.json``, in folder order."""
    datasets_dir = Path(datasets_dir)
    if not datasets_dir.is_dir():
        raise InputError([Problem(str(datasets_dir), "", "datasets directory not found", kind="missing-directory")])
    packages, problems = [], []
    for directory in sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR).is_file()):
        try:
            packages.append(load_package(directory))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    if not packages:
        raise InputError([Problem(str(datasets_dir), "", f"no {DESCRIPTOR} found in any sub-folder", kind="no-packages")])
    return packages


def load_package(directory: Path) -> ElectionPackage:
    directory = Path(directory).resolve()
    package_id = directory.name
    try:
        descriptor = json.loads((directory / DESCRIPTOR).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError([Problem(package_id, DESCRIPTOR, f"not valid UTF-8 JSON: {error}", kind="descriptor")])
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise InputError([Problem(package_id, DESCRIPTOR, "must be an object with a list of resources", kind="descriptor")])

    paths, problems = {}, []
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not name:
            problems.append(Problem(package_id, DESCRIPTOR, f"resource #{index + 1} has no name", kind="descriptor"))
            continue
        try:
            paths[name] = safe_resource_path(directory, resource.get("path"))
        except ValueError as error:
            problems.append(Problem(package_id, DESCRIPTOR, str(error), field=f"resources[{name}].path",
                                    value=str(resource.get("path")), kind="unsafe-path"))
    if problems:
        raise InputError(problems)
    return ElectionPackage(package_id, directory, descriptor, paths)


def safe_resource_path(directory: Path, path: object) -> Path:
    """The resource file, if ``path`` is a plain relative path that stays inside ``directory``."""
    if not isinstance(path, str) or not path:
        raise ValueError("resource path must be a single relative file name (lists and inline data are not accepted)")
    if "://" in path or path.startswith("//"):
        raise ValueError("resource path is a URL: only files inside the package directory are read")
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path or ":" in pure.parts[0]:
        raise ValueError("resource path is absolute: only files inside the package directory are read")
    if ".." in pure.parts:
        raise ValueError("resource path leaves the package directory")
    resolved = (directory / pure).resolve()
    if directory != resolved and directory not in resolved.parents:
        raise ValueError("resource path leaves the package directory (through a link)")
    return resolved
