"""Stage 1, load: find the election Data Packages and resolve their files safely.

Nothing here reads a resource's data: a path that leaves the package directory (``../../etc/passwd``,
an absolute path, a URL) is refused before anything could open it. The descriptor's size and nesting
and its number of resources are checked against ``limits`` before it is parsed; folder names must be
ids, and two folders holding one package (a link, or names differing only in case) are refused.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path, PurePosixPath

from . import contract
from .limits import MAX_DESCRIPTOR_BYTES, MAX_DESCRIPTOR_DEPTH, MAX_RESOURCES, TooLarge, number, read_within
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
        """The ``election`` object ({} when it is missing or not an object: validate reports that)."""
        election = self.descriptor.get("election")
        return election if isinstance(election, dict) else {}

    def title(self, lang: str = "en") -> str:
        titles = self.election.get("title", {})
        return titles.get(lang) or titles.get("en") or self.descriptor.get("title") or self.id


def load_packages(datasets_dir: Path) -> list[ElectionPackage]:
    """Every ``datasets/<election-id>/datapackage.json``, in folder order."""
    datasets_dir = Path(datasets_dir)
    if not datasets_dir.is_dir():
        raise InputError([Problem(str(datasets_dir), "", "datasets directory not found", kind="missing-directory")])
    packages, problems = [], []
    seen: dict[str, Path] = {}  # package id, lower-cased → the folder that holds it
    try:
        folders = sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR).is_file())
    except OSError as error:
        raise InputError([Problem(str(datasets_dir), "", f"the datasets directory cannot be read "
                                  f"({error.strerror or error})", kind="missing-directory")]) from None
    for directory in folders:
        same = seen.get(directory.resolve().name.lower())
        if same is not None:
            problems.append(Problem(directory.name, DESCRIPTOR, f"{directory.name!r} is the same package as "
                                    f"{same.name!r} (a link to it, or a name differing only in case, which "
                                    "collide in URLs and on case-insensitive disks): keep one of the two folders",
                                    value=directory.name, kind="duplicate-package"))
            continue
        seen[directory.resolve().name.lower()] = directory
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
    if not ID.match(package_id):
        raise InputError([Problem(package_id, DESCRIPTOR, "the folder name is the election's id in its URLs: use "
                                  "letters, digits, '-', '_' and '.', starting with a letter or digit (at most "
                                  "80 characters); rename the folder (and the descriptor's name)",
                                  value=package_id, kind="package-id")])
    descriptor = _read_descriptor(package_id, directory / DESCRIPTOR)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise InputError([Problem(package_id, DESCRIPTOR, "must be an object with a list of resources", kind="descriptor")])
    if len(descriptor["resources"]) > MAX_RESOURCES:
        raise InputError([Problem(package_id, DESCRIPTOR, f"{number(len(descriptor['resources']))} resources: the "
                                  f"limit is {MAX_RESOURCES} (the contract defines {len(contract.resource_names())})",
                                  field="resources", kind="limit")])

    paths, problems = {}, []
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(package_id, DESCRIPTOR, f"resource #{index + 1} has no name (a resource's name "
                                    "is text, one of the contract's resources)", field=f"resources[{index}].name",
                                    value=None if name is None else json.dumps(name, ensure_ascii=False)[:200],
                                    kind="descriptor"))
            continue
        try:
            paths[name] = safe_resource_path(directory, resource.get("path"))
        except ValueError as error:
            problems.append(Problem(package_id, DESCRIPTOR, str(error), field=f"resources[{name}].path",
                                    value=str(resource.get("path")), kind="unsafe-path"))
    if problems:
        raise InputError(problems)
    return ElectionPackage(package_id, directory, descriptor, paths)


ID = re.compile(contract.id_pattern())
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def _read_descriptor(package_id: str, path: Path) -> object:
    """The parsed descriptor, once its size and nesting are known to be within the limits."""
    def refuse(message: str, kind: str = "descriptor"):
        return InputError([Problem(package_id, DESCRIPTOR, message, kind=kind)])

    try:
        data = read_within(path, MAX_DESCRIPTOR_BYTES)
    except TooLarge as error:
        raise refuse(f"the descriptor is {number(error.size)} bytes: the limit is {number(MAX_DESCRIPTOR_BYTES)} "
                     "(data belongs in the CSV resources, not in datapackage.json)", "limit") from None
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror or error}); check that the file is readable") from None
    steps = [1 if b in b"[{" else -1 for b in _BRACKET.findall(_STRING.sub(b"", data))]
    depth = max(accumulate(steps), default=0)
    if depth > MAX_DESCRIPTOR_DEPTH:
        raise refuse(f"the descriptor is nested {number(depth)} levels deep: the limit is {MAX_DESCRIPTOR_DEPTH} "
                     "(a package descriptor needs 8)", "limit")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, a number of 5,000 digits
        raise refuse(f"not valid UTF-8 JSON: {error}; expected a JSON object (check it with a JSON validator)")


def safe_resource_path(directory: Path, path: object) -> Path:
    """The resource file, if ``path`` is a plain relative path that stays inside ``directory``."""
    if not isinstance(path, str) or not path:
        raise ValueError("resource path must be a single relative file name (lists and inline data are not accepted)")
    if "://" in path or path.startswith("//"):
        raise ValueError("resource path is a URL: only files inside the package directory are read")
    pure = PurePosixPath(path)
    if not pure.parts or pure.parts == ("/",) or path.endswith("/"):
        raise ValueError("resource path must name a file inside the package directory, e.g. units.csv")
    if pure.is_absolute() or "\\" in path or ":" in pure.parts[0]:
        raise ValueError("resource path is absolute: only files inside the package directory are read")
    if ".." in pure.parts:
        raise ValueError("resource path leaves the package directory")
    try:
        resolved = (directory / pure).resolve()
        is_dir = resolved.is_dir()
    except (OSError, RuntimeError) as error:  # a link to itself, a name too long for the disk
        raise ValueError(f"resource path cannot be followed ({error.__class__.__name__}: {error}); "
                         "name a plain file inside the package directory") from None
    if directory != resolved and directory not in resolved.parents:
        raise ValueError("resource path leaves the package directory (through a link)")
    if resolved == directory or is_dir:
        raise ValueError("resource path must name a file inside the package directory, e.g. units.csv")
    return resolved
