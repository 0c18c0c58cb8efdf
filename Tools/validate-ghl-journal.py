#!/usr/bin/env python3
"""Checks recorded GHL traffic (a sandbox journal) against the official schemas.

Usage: validate-ghl-journal.py JOURNAL.json [SPEC.json]

For every entry: the JSON request body against the operation's request schema, and the JSON response body against
the schema of the status it was answered with (when the spec declares one). Objects are checked strictly: a field
the schema does not define is an error (GHL itself answers 422 to unknown request fields, and the sandbox must not
invent response fields). Exit status 1 lists every mismatch.

Not checked: bodies that are not JSON (form-encoded token calls are checked field by field only by the generated
code), and statuses the spec does not document (GHL-shaped errors from the sandbox's middleware).
"""
import base64
import copy
import json
import pathlib
import sys

from openapi_schema_validator import OAS30Validator

ROOT = pathlib.Path(__file__).resolve().parent.parent


def strict(schema, schemas, seen=()):
    """Inlines $refs and forbids fields an object schema does not define."""
    if isinstance(schema, list):
        return [strict(item, schemas, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return {}
        return strict(schemas[name], schemas, seen + (name,))
    result = {key: strict(value, schemas, seen) for key, value in schema.items()}
    if "properties" in result and "additionalProperties" not in result and not any(
        key in result for key in ("allOf", "anyOf", "oneOf")
    ):
        result["additionalProperties"] = False
    return result


def main():
    journal = json.loads(pathlib.Path(sys.argv[1]).read_text())
    spec_path = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "Specs/generated/ghl-switchboard.json"
    spec = json.loads(spec_path.read_text())
    schemas = spec["components"]["schemas"]
    operations = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    problems, checked = [], 0
    for index, entry in enumerate(journal):
        operation = operations.get(entry["operation"])
        if operation is None:
            problems.append(f"#{index} {entry['operation']}: not an operation of the spec")
            continue
        bodies = [
            ("request", entry.get("requestBody"),
             operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")),
            ("response", entry.get("responseBody"),
             operation.get("responses", {}).get(str(entry["status"]), {}).get("content", {})
             .get("application/json", {}).get("schema")),
        ]
        for kind, encoded, schema in bodies:
            if not encoded or schema is None:
                continue
            try:
                instance = json.loads(base64.b64decode(encoded))
            except ValueError:
                continue
            checked += 1
            validator = OAS30Validator(strict(copy.deepcopy(schema), schemas))
            for error in validator.iter_errors(instance):
                where = "/".join(str(part) for part in error.absolute_path) or "(body)"
                problems.append(f"#{index} {entry['operation']} {kind} {entry['status']}: {where}: {error.message}")
    for problem in problems:
        print(problem)
    print(f"{checked} bodies checked against the spec, {len(problems)} mismatches")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
