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
        return self.labels.get(lang) or self.labels["en"]


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


@cache
def fields(resource: str) -> tuple[dict, ...]:
    """The resource's fields in file order, protocol lines expanded."""
    out: list[dict] = []
    for field in resource_spec(resource)["fields"]:
        if field.get("protocol_lines"):
            out.extend(
                {"name": line.name, "type": "integer", "minimum": 0, "description": line.label("en")}
                for line in protocol_lines()
            )
        else:
            out.append(field)
    return tuple(out)


def field_names(resource: str) -> list[str]:
    return [f["name"] for f in fields(resource)]


def table_schema(resource: str) -> dict:
    """The Frictionless Table Schema of one resource."""
    spec = resource_spec(resource)
    id_pattern = _contract()["id_pattern"]
    schema_fields = []
    for field in fields(resource):
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
    if spec.get("foreign_keys"):
        schema["foreignKeys"] = [
            {
                "fields": list(fk["fields"]),
                "reference": {
                    "resource": "" if fk["resource"] == resource else fk["resource"],
                    "fields": list(fk["reference"]),
                },
            }
            for fk in spec["foreign_keys"]
        ]
    return schema
