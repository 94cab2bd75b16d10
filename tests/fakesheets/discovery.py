"""Request validation against Google's own discovery documents.

The documents (``sheets.v4.json``, ``drive.v3.json``) ship inside the
google-api-python-client package, a test-only dependency.  For each request the
fake finds the API method by HTTP verb and path, then checks path parameters,
query parameters (known, typed, enum values, repeated only where allowed) and
the JSON body (known fields of the request schema, recursively through
``$ref``, with types and enum values).  A violation becomes a 400 answer worded
the way Google words it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


class InvalidRequest(Exception):
    """A request Google would refuse with 400 INVALID_ARGUMENT."""

    def __init__(self, message: str, status: int = 400, reason: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Method:
    api: str  # "sheets" | "drive"
    id: str  # e.g. "sheets.spreadsheets.values.batchGet"
    http_method: str
    pattern: re.Pattern[str]
    parameters: dict[str, Any]
    request_ref: str | None
    doc: dict[str, Any]


def documents_dir() -> Path:
    import googleapiclient

    return Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@cache
def load(api: str) -> dict[str, Any]:
    name = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}[api]
    data: dict[str, Any] = json.loads((documents_dir() / name).read_text(encoding="utf-8"))
    return data


def _pattern(prefix: str, path: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\{\+?[A-Za-z_]+\})", path):
        if part.startswith("{"):
            name = part.strip("{}+")
            out += f"(?P<{name}>[^/]+)"
        else:
            out += re.escape(part)
    return re.compile("^" + re.escape(prefix) + out + "$")


@cache
def methods() -> tuple[Method, ...]:
    found: list[Method] = []
    for api in ("sheets", "drive"):
        doc = load(api)
        prefix = "/" + doc["servicePath"]  # "" for Sheets, "drive/v3/" for Drive

        def walk(resource: dict[str, Any], api: str = api, doc: dict[str, Any] = doc,
                 prefix: str = prefix) -> None:  # fmt: skip
            for method in resource.get("methods", {}).values():
                path = method.get("flatPath") or method["path"]
                found.append(Method(api, method["id"], method["httpMethod"],
                                    _pattern(prefix, path), method.get("parameters", {}),
                                    (method.get("request") or {}).get("$ref"), doc))  # fmt: skip
            for child in resource.get("resources", {}).values():
                walk(child)

        walk(doc)
    # Literal-heavy patterns first, so ".../values:batchGet" wins over ".../{range}".
    found.sort(key=lambda m: -len(m.pattern.pattern.replace("(?P<", "")))
    return tuple(found)


def route(http_method: str, path: str) -> tuple[Method, dict[str, str]]:
    from urllib.parse import unquote

    for method in methods():
        if method.http_method != http_method:
            continue
        match = method.pattern.match(path)
        if match:
            return method, {k: unquote(v) for k, v in match.groupdict().items()}
    raise InvalidRequest(f"The requested URL {path} was not found on this server.", 404,
                         "NOT_FOUND")  # fmt: skip


def check_query(method: Method, query: dict[str, list[str]]) -> dict[str, Any]:
    """Validate query parameters; returns them typed (lists for repeated ones)."""
    known = {**method.doc.get("parameters", {}), **method.parameters}
    out: dict[str, Any] = {}
    for name, values in query.items():
        spec = known.get(name)
        if spec is None or spec.get("location") != "query":
            raise InvalidRequest(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message."
            )
        if len(values) > 1 and not spec.get("repeated"):
            raise InvalidRequest(f"Invalid value at '{name}': multiple values given")
        typed = [_typed_query(name, spec, v) for v in values]
        out[name] = typed if spec.get("repeated") else typed[0]
    for name, spec in method.parameters.items():
        if spec.get("location") == "query" and spec.get("required") and name not in out:
            raise InvalidRequest(f"Missing required parameter {name}")
    return out


def _typed_query(name: str, spec: dict[str, Any], value: str) -> Any:
    kind = spec.get("type", "string")
    if kind == "boolean":
        if value not in ("true", "false"):
            raise InvalidRequest(f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"")
        return value == "true"
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise InvalidRequest(f"Invalid value at '{name}' (TYPE_INT32), \"{value}\"")
        return int(value)
    if "enum" in spec and value not in spec["enum"]:
        raise InvalidRequest(f"Invalid value at '{name}' ({_enum_type(name)}), \"{value}\"")
    return value


def _enum_type(name: str) -> str:
    return "type.googleapis.com/google.apps.sheets.v4." + name[0].upper() + name[1:]


def check_body(method: Method, body: Any) -> None:
    if method.request_ref is None:
        if body not in (None, {}):
            raise InvalidRequest("Invalid JSON payload received. This method takes no body.")
        return
    if not isinstance(body, dict):
        raise InvalidRequest("Invalid JSON payload received. Expected an object.")
    _check(method.doc["schemas"], {"$ref": method.request_ref}, body, "")


def _where(path: str) -> str:
    return f" at '{path}'" if path else ""


def _check(schemas: dict[str, Any], spec: dict[str, Any], value: Any, path: str) -> None:
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if value is None:
        return  # JSON null is "not set" (and a skipped cell in values arrays)
    if kind == "any":
        return
    if kind == "object":
        if not isinstance(value, dict):
            raise InvalidRequest("Invalid JSON payload received. "
                                 f"Expected an object{_where(path)}.")
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if props is not None and key in props:
                _check(schemas, props[key], item, sub)
            elif extra is not None:
                _check(schemas, extra, item, sub)
            else:
                raise InvalidRequest(f'Invalid JSON payload received. Unknown name "{key}"'
                                     f"{_where(path)}: Cannot find field.")  # fmt: skip
        return
    if kind == "array":
        if not isinstance(value, list):
            raise InvalidRequest(f"Invalid JSON payload received. Expected a list{_where(path)}.")
        for i, item in enumerate(value):
            _check(schemas, spec.get("items", {}), item, f"{path}[{i}]")
        return
    if kind == "string":
        if spec.get("format") in ("int64", "uint64") and isinstance(value, int):
            return
        if not isinstance(value, str):
            raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_STRING), {value!r}")
        if "enum" in spec and value not in spec["enum"]:
            raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_ENUM), \"{value}\"")
        return
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_INT32), {value!r}")
        if isinstance(value, str) and not re.fullmatch(r"-?\d+", value):
            raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_INT32), \"{value}\"")
        return
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_DOUBLE), {value!r}")
        return
    if kind == "boolean" and not isinstance(value, bool):
        raise InvalidRequest(f"Invalid value{_where(path)} (TYPE_BOOL), {value!r}")
