"""Contract conformance of ``datapackage.json``: the right resources, each with the contract's schema.

A package must carry the contract's Table Schemas exactly (field names, order, types, formats,
constraints, keys), so nobody can loosen a type or drop a key in one package and have it pass.
Descriptions and titles may differ. Files must be plain comma-separated UTF-8 CSV, as the model stage
reads them. The metadata the build reads must have the shape it reads: a real election date, text
where text is shown, ``licenses`` and ``sources`` as lists of objects, and no control character or
lone surrogate in any string.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from .. import contract
from ..load import DESCRIPTOR, ElectionPackage
from ..problems import Problem
from .fast import CONTROL

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CSV_DIALECT = {"delimiter": ",", "header": True, "quoteChar": '"', "doubleQuote": True, "headerRows": [1]}
# Schema keys that only document: they may differ from the contract's wording.
DOC_KEYS = {"title", "description", "example", "examples", "rdfType"}
_UNSET = object()
SURROGATE = re.compile("[\ud800-\udfff]")


def descriptor_problems(package: ElectionPackage) -> list[Problem]:
    """Everything wrong with the descriptor itself. Only "metadata" problems leave the files readable."""
    problems: list[Problem] = []

    def add(message: str, kind: str, field: str | None = None, value: object = None, file: str = DESCRIPTOR):
        problems.append(Problem(package.id, file, message, field=field,
                                value=None if value is None else str(value), kind=kind))

    problems.extend(_metadata_problems(package))
    names = Counter(r.get("name") for r in package.descriptor["resources"]
                    if isinstance(r, dict) and isinstance(r.get("name"), str))
    for name, count in sorted(names.items()):
        if count > 1:
            add(f"resource is declared {count} times: declare it once", "descriptor", f"resources[{name}]")
    for name in contract.required_resources():
        if name not in package.resource_paths:
            add(f"required resource {name!r} is missing (a package needs: "
                f"{', '.join(contract.required_resources())})", "missing-resource", "resources", name)
    for name in package.resource_paths:
        if name not in contract.resource_names():
            add(f"unknown resource {name!r}: the contract defines only "
                f"{', '.join(contract.resource_names())}", "unknown-resource", "resources", name)

    for resource in package.descriptor["resources"]:
        name = resource.get("name") if isinstance(resource, dict) else None
        if name not in contract.resource_names() or name not in package.resource_paths:
            continue
        schema_problems = _schema_problems(name, resource.get("schema"), contract.extra_lines(package.descriptor),
                                           set(package.resource_paths))
        for message, field, value in [*_format_problems(resource), *schema_problems]:
            add(message, "schema", f"resources[{name}].{field}", value)
        path = package.resource_paths[name]
        if not path.is_file():
            add("file not found", "missing-file", value=resource.get("path"), file=_relative(package, path))
    return problems


def _metadata_problems(package: ElectionPackage) -> list[Problem]:
    descriptor, out = package.descriptor, []

    def add(field: str, value: object, message: str) -> None:
        out.append(Problem(package.id, DESCRIPTOR, message, field=field,
                           value=None if value is None else str(value), kind="metadata"))

    if descriptor.get("name") != package.id:
        add("name", descriptor.get("name"), f"must be the folder name {package.id!r} (it is the election's URL)")
    election = descriptor.get("election")
    if not isinstance(election, dict):
        add("election", None, "missing: an object with date, country, type and title {en, ru, kk}")
        return out
    if not _is_date(election.get("date")):
        add("election.date", election.get("date"), "expected the election date written YYYY-MM-DD "
            "(a real calendar date)")
    for key in ("country", "type"):
        if not isinstance(election.get(key), str) or not election[key].strip():
            add(f"election.{key}", election.get(key), "required value is empty")
    for field, value, message in contract.extra_line_problems(descriptor):
        add(field, value, message)
    title = election.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("en"), str) or not title["en"].strip():
        add("election.title.en", None, "required: the election's title in English (ru and kk if published)")
    else:
        for lang in ("ru", "kk"):
            if title.get(lang) is not None and not isinstance(title[lang], str):
                add(f"election.title.{lang}", title[lang], "expected text (or leave it out)")
    for key in ("title", "version"):
        if descriptor.get(key) is not None and not isinstance(descriptor[key], str):
            add(key, descriptor[key], "expected text (or leave it out)")
    for key, texts in (("licenses", ("name", "title", "path")), ("sources", ("title", "path", "url", "description"))):
        value = descriptor.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            add(key, value, f"expected a list of objects, e.g. [{{\"{texts[0]}\": \"...\"}}]")
            continue
        for index, item in enumerate(value):
            for text in texts:
                if item.get(text) is not None and not isinstance(item[text], str):
                    add(f"{key}[{index}].{text}", item[text], "expected text (or leave it out)")
    for where, text in _strings(descriptor, ""):
        if CONTROL.search(text):
            add(where or "(descriptor)", text, "contains a control character (such as ESC or NUL): text may hold "
                "line breaks and tabs only; remove it")
        elif SURROGATE.search(text):
            add(where or "(descriptor)", text, "is not valid Unicode (a lone surrogate escape such as \\ud800): "
                "write the character itself")
    return out


def _is_date(value: object) -> bool:
    if not isinstance(value, str) or not DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _strings(value: object, where: str):
    """(path, text) of every string in a descriptor, keys included; the nesting is already bounded."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, where)
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _format_problems(resource: dict) -> list[tuple[str, str, object]]:
    out = []
    if resource.get("format", "csv") != "csv":
        out.append(("must be csv", "format", resource.get("format")))
    encoding = str(resource.get("encoding", "utf-8")).lower().replace("_", "-")
    if encoding not in ("utf-8", "utf8", "utf-8-sig"):
        out.append(("files must be UTF-8", "encoding", resource.get("encoding")))
    if resource.get("compression"):
        out.append(("compressed files are not accepted", "compression", resource.get("compression")))
    dialect = resource.get("dialect")
    if dialect is not None:
        nested = dialect.get("csv", {}) if isinstance(dialect, dict) else None
        flat = dict(nested, **{k: v for k, v in dialect.items() if k != "csv"}) \
            if isinstance(nested, dict) else None
        differing = None if flat is None else {
            k: v for k, v in flat.items() if CSV_DIALECT.get(k, _UNSET) != v
        }
        if differing is None or differing:
            out.append(("the CSV dialect must be the contract's (comma-separated, double quotes, one header row)",
                        "dialect", differing if differing is not None else dialect))
    return out


def _schema_problems(name: str, schema: object, extra: tuple = (), present=None) -> list[tuple[str, str, object]]:
    """Differences from ``contract.table_schema(name, extra, present)``, each as (message, field path, value)."""
    expected = contract.table_schema(name, extra, present)
    if not isinstance(schema, dict):
        return [("the schema must be written inline, as contract.table_schema() gives it "
                 "(package_writer.write_package does this)", "schema", schema)]
    out = []
    fields = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    got = [f.get("name") if isinstance(f, dict) and isinstance(f.get("name"), str) else None for f in fields]
    want = [f["name"] for f in expected["fields"]]
    for missing in [n for n in want if n not in got]:
        out.append((f"field {missing!r} of the contract is missing", "schema.fields", missing))
    for extra in [n for n in got if n not in want]:
        hint = " (a line of the package's own protocol form: declare it in election.extra_lines)" \
            if name == "protocols" else ""
        out.append((f"field {extra!r} is not in the contract{hint}", "schema.fields", extra))
    if not out and got != want:
        out.append((f"fields are not in the contract's order: {', '.join(want)}", "schema.fields", ", ".join(got)))
    by_name = {f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
    for field in expected["fields"]:
        actual = by_name.get(field["name"])
        if actual is None:
            continue
        for key in ("type", "format", "constraints"):
            a, e = actual.get(key, _default(key)), field.get(key, _default(key))
            if a != e:
                out.append((f"{key} of field {field['name']!r} is {a!r}, the contract says {e!r}",
                            f"schema.fields[{field['name']}].{key}", a))
        for key in set(actual) - DOC_KEYS - {"name", "type", "format", "constraints"}:
            out.append((f"field {field['name']!r} has {key!r}, which the contract does not define",
                        f"schema.fields[{field['name']}].{key}", actual[key]))
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        a, e = schema.get(key, _default(key)), expected.get(key, _default(key))
        if key == "primaryKey" and isinstance(a, str):
            a = [a]
        if key == "foreignKeys" and isinstance(a, list):
            a = [_normal_fk(fk) for fk in a]
            e = [_normal_fk(fk) for fk in e]
        if a != e:
            out.append((f"{key} is {a!r}, the contract says {e!r}", f"schema.{key}", a))
    return out


def _default(key: str):
    return {"format": "default", "constraints": {}, "foreignKeys": [], "missingValues": [""],
            "primaryKey": []}.get(key)


def _normal_fk(fk):
    if not isinstance(fk, dict) or not isinstance(fk.get("reference") or {}, dict):
        return fk
    fields = fk.get("fields")
    reference = dict(fk.get("reference") or {})
    ref_fields = reference.get("fields")
    return {
        "fields": [fields] if isinstance(fields, str) else fields,
        "reference": {"resource": reference.get("resource", ""),
                      "fields": [ref_fields] if isinstance(ref_fields, str) else ref_fields},
    }


def _relative(package: ElectionPackage, path) -> str:
    try:
        return path.relative_to(package.directory).as_posix()
    except ValueError:
        return path.name
