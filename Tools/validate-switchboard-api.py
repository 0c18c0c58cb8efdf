#!/usr/bin/env python3
"""Checks recorded Switchboard API traffic against Switchboard's own OpenAPI document.

Usage: validate-switchboard-api.py RECORDS.json [SPEC.json]

RECORDS is a JSON array of {"method", "path", "status", "contentType", "body"} (body as text). For every record:
the path must match a documented path and method, the status must be documented for it (or fall under `default`),
the content type must be the documented one, and a JSON body must match the documented schema. Object schemas are
checked strictly where they say `additionalProperties: false`. The spec itself is validated first. Exit status 1
lists every mismatch.
"""
import json
import pathlib
import re
import sys

from openapi_schema_validator import OAS31Validator

ROOT = pathlib.Path(__file__).resolve().parent.parent


def resolve(schema, schemas):
    """Inlines $refs so the validator sees one self-contained schema."""
    if isinstance(schema, list):
        return [resolve(item, schemas) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return resolve(schemas[schema["$ref"].split("/")[-1]], schemas)
    return {key: resolve(value, schemas) for key, value in schema.items()}


def main():
    records = json.loads(pathlib.Path(sys.argv[1]).read_text())
    spec_path = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "Sources/SwitchboardServer/Resources/openapi.json"
    spec = json.loads(spec_path.read_text())
    try:
        from openapi_spec_validator import validate

        validate(spec)
    except ImportError:
        pass
    schemas = spec["components"]["schemas"]
    templates = [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template, item)
        for template, item in spec["paths"].items()
    ]
    problems, checked, covered = [], 0, set()
    for index, record in enumerate(records):
        path = record["path"].split("?")[0]
        method = record["method"].lower()
        label = f"#{index} {record['method']} {record['path']} → {record['status']}"
        match = next(((template, item) for pattern, template, item in templates if pattern.match(path)), None)
        if match is None or method not in match[1]:
            problems.append(f"{label}: not a documented operation")
            continue
        template, item = match
        operation = item[method]
        covered.add((method, template, str(record["status"])))
        responses = operation["responses"]
        response = responses.get(str(record["status"])) or responses.get("default")
        if response is None:
            problems.append(f"{label}: status not documented")
            continue
        content = response.get("content", {})
        media = (record.get("contentType") or "").split(";")[0].strip()
        if content and media not in content:
            problems.append(f"{label}: content type {media!r}, documented {sorted(content)}")
            continue
        if not media.endswith("json"):
            checked += 1
            continue
        try:
            body = json.loads(record["body"])
        except ValueError as error:
            problems.append(f"{label}: body is not JSON ({error})")
            continue
        schema = resolve(content[media]["schema"], schemas)
        errors = sorted(OAS31Validator(schema).iter_errors(body), key=lambda e: list(e.path))
        for error in errors[:5]:
            where = "/".join(str(part) for part in error.path) or "(body)"
            problems.append(f"{label}: {where}: {error.message}")
        checked += 1
    for problem in problems:
        print(problem)
    print(f"{checked} responses checked against {spec_path.name}, {len(covered)} (operation, status) pairs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
