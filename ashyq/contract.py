"""The Election Data Package contract, read from ``contract.yml``.

Everything that names a resource, a field or a protocol line asks this module, so that the Table
Schemas, the documentation, the SQL and the page labels share one vocabulary.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CONTRACT_FILE = Path(__file__).with_name("contract.yml")
LANGUAGES = ("en", "ru", "kk")


@dataclass(frozen=True)
class ProtocolLine:
    name: str
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.name

    def __hash__(self) -> int:  # a package's own lines key the cached schemas
        return hash((self.name, tuple(sorted(self.labels.items()))))


@cache
def _contract() -> dict:
    return yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))


@cache
def protocol_lines() -> tuple[ProtocolLine, ...]:
    return tuple(
        ProtocolLine(line["name"], {lang: line[lang] for lang in LANGUAGES})
        for line in _contract()["protocol_lines"]
    )


def line_names() -> list[str]:
    return [line.name for line in protocol_lines()]


def resource_names() -> list[str]:
    return list(_contract()["resources"])


def required_resources() -> list[str]:
    return list(_contract()["required_resources"])


def id_pattern() -> str:
    """The pattern every id (unit, contest, choice, source, package folder) matches."""
    return _contract()["id_pattern"]


def missing_value_label(lang: str = "en") -> str:
    return _contract()["missing_value_label"][lang]


def resource_spec(name: str) -> dict:
    return _contract()["resources"][name]


def extra_line_pattern() -> str:
    return _contract()["extra_line_pattern"]


def extra_lines(descriptor: dict) -> tuple[ProtocolLine, ...]:
    """The protocol lines a package declares for its own form (``election.extra_lines``), in order.

    Malformed entries are left out here; the validate stage reports them (``extra_line_problems``).
    """
    election = descriptor.get("election") if isinstance(descriptor, dict) else None
    declared = election.get("extra_lines") if isinstance(election, dict) else None
    if not isinstance(declared, list):
        return ()
    out = []
    for entry in declared:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            labels = {lang: str(entry.get(lang) or "") for lang in LANGUAGES}
            out.append(ProtocolLine(entry["name"], {k: v for k, v in labels.items() if v} or {"en": entry["name"]}))
    return tuple(out)


def extra_line_problems(descriptor: dict) -> list[tuple[str, object, str]]:
    """(field, value, message) for every malformed ``election.extra_lines`` entry."""
    import re

    election = descriptor.get("election") if isinstance(descriptor, dict) else None
    declared = election.get("extra_lines") if isinstance(election, dict) else None
    if declared is None:
        return []
    if not isinstance(declared, list):
        return [("election.extra_lines", declared, "must be a list of {name, en, ru, kk}")]
    taken = set(line_names()) | {f["name"] for f in fields("protocols")}
    out, seen = [], set()
    for i, entry in enumerate(declared):
        where = f"election.extra_lines[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            out.append((where, entry, "must be an object with a name and its labels {en, ru, kk}"))
            continue
        name = entry["name"]
        if not re.match(extra_line_pattern(), name):
            out.append((f"{where}.name", name, f"must match {extra_line_pattern()} (lower-case letters, digits, _)"))
        elif name in taken or name in seen:
            out.append((f"{where}.name", name, "is already a field of protocols.csv or declared twice: choose another name"))
        if not isinstance(entry.get("en"), str) or not entry["en"].strip():
            out.append((f"{where}.en", entry.get("en"), "required: the line's label in English (ru and kk as on the form)"))
        seen.add(name)
    return out


@cache
def fields(resource: str, extra: tuple[ProtocolLine, ...] = ()) -> tuple[dict, ...]:
    """The resource's fields in file order, protocol lines expanded (``extra``: a package's own lines,
    right after the standard ones)."""
    out: list[dict] = []
    for field in resource_spec(resource)["fields"]:
        if field.get("protocol_lines"):
            out.extend(
                {"name": line.name, "type": "integer", "minimum": 0, "description": line.label("en")}
                for line in protocol_lines() + tuple(extra)
            )
        else:
            out.append(field)
    return tuple(out)


def field_names(resource: str, extra: tuple[ProtocolLine, ...] = ()) -> list[str]:
    return [f["name"] for f in fields(resource, tuple(extra))]


def table_schema(resource: str, extra: tuple[ProtocolLine, ...] = (), present=None) -> dict:
    """The Frictionless Table Schema of one resource (``extra``: a package's own protocol lines).

    ``present``: the resources the package has. Foreign keys into optional resources it does not have
    (a package without venues.csv) are then left out, so the package's own descriptor validates with
    any Frictionless; a value in such a field is refused by the validate stage all the same.
    """
    spec = resource_spec(resource)
    id_pattern = _contract()["id_pattern"]
    schema_fields = []
    for field in fields(resource, tuple(extra)):
        out = {"name": field["name"], "type": field["type"]}
        if "format" in field:
            out["format"] = field["format"]
        if field.get("description"):
            out["description"] = field["description"]
        constraints = {}
        if field.get("required"):
            constraints["required"] = True
        for key in ("minimum", "maximum", "enum", "pattern"):
            if key in field:
                constraints[key] = field[key]
        if field.get("id"):
            constraints["pattern"] = id_pattern
        if constraints:
            out["constraints"] = constraints
        schema_fields.append(out)
    schema: dict = {
        "fields": schema_fields,
        "missingValues": [""],
        "primaryKey": list(spec["primary_key"]),
    }
    keys = [fk for fk in spec.get("foreign_keys", [])
            if present is None or fk["resource"] == resource or fk["resource"] in present]
    if keys:
        schema["foreignKeys"] = [
            {
                "fields": list(fk["fields"]),
                "reference": {
                    "resource": "" if fk["resource"] == resource else fk["resource"],
                    "fields": list(fk["reference"]),
                },
            }
            for fk in keys
        ]
    return schema
