#!/usr/bin/env python3
"""Builds the one OpenAPI document Switchboard generates its GHL client and sandbox from.

Input: GHL's official specs, copied unchanged into Specs/ghl-openapi/ (see SOURCE.md there).
Output: Specs/generated/ghl-switchboard.json (committed, and checked by CI to be reproducible).

The official files cannot be fed to swift-openapi-generator as they are. Every fix made here, and why:

1. Only the operations Switchboard uses are kept (OPERATIONS below). Besides keeping the generated code small, this
   drops `get-timezones` and `create-association`, whose paths have parameters the operations never declare (the
   generator rejects such operations).
2. References to `../common/common-schemas.json#/...` (external files, which the generator cannot follow) are
   rewritten to local `#/components/schemas/...` and the referenced schemas are bundled in.
3. The six files are merged into one document, so that one generated `Client`/`APIProtocol` covers all of GHL. Only
   schemas reachable from the kept operations are kept. Identical definitions are merged; when two files define a
   schema under the same name differently (`CustomFieldSchema` in locations and contacts), the later file's is
   renamed with its file's name in front (`ContactsCustomFieldSchema`) and its references follow.
4. `dateOfBirth` in contacts is typed `object` although it is a date string (the description lists string formats
   and the example is "1990-09-25"); it is overlaid as `string`.
5. `get-duplicate-contact` declares its 200 response with no body, although GHL answers `{"contact": {...}}`
   (or `{"contact": null}`); the contact schema of `get-contact` is overlaid so the client can read the match.
6. Security requirements are kept as documentation only (the generator ignores them): the client's auth middleware
   chooses the agency or location token per operation from the same information (see `HighLevel/Operation+Scope`).
7. A pipeline's `stages` are typed as an array of arrays, which no client could read a stage from (a stage id is
   what `create-opportunity` and every opportunity carry as `pipelineStageId`); the items are overlaid as objects
   with the stage's `id`, `name` and `position`.
8. The same operations are also bundled from GHL's v3 specs (`apps/v3/*-v3.json`, the API that `Version: v3`
   selects) into Specs/generated/ghl-switchboard-v3.json. Code is generated from the v2 document only; the v3
   document is what the sandbox's v3 traffic is checked against (Tools/validate-ghl-journal.py). The v3 files
   reference `../common/common-schemas.json`, which from `apps/v3/` names a file that does not exist; the one
   meant is `apps/v3/common/common-schemas.json`, read here instead.
"""
import copy
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = ROOT / "Specs" / "ghl-openapi"
OUTPUT = ROOT / "Specs" / "generated" / "ghl-switchboard.json"
OUTPUT_V3 = ROOT / "Specs" / "generated" / "ghl-switchboard-v3.json"

# spec file -> operationIds used by Switchboard
OPERATIONS = {
    "locations": [
        "create-location", "get-location", "put-location", "delete-location", "search-locations",
        "get-custom-values", "create-custom-value", "update-custom-value",
        "get-custom-fields", "create-custom-field",
    ],
    "snapshots": ["get-custom-snapshots", "get-latest-snapshot-push"],
    "contacts": [
        "upsert-contact", "create-contact", "get-contact", "get-duplicate-contact", "add-contact-to-workflow",
        "add-tags", "delete-contact-from-workflow", "get-appointments-for-contact",
    ],
    "opportunities": [
        "create-opportunity", "search-opportunity", "get-pipelines", "get-opportunity", "update-opportunity-status",
    ],
    "conversations": ["export-messages-by-location"],
    "workflows": ["get-workflow"],
    "oauth": ["get-access-token", "get-location-access-token"],
}
COMMON_PREFIX = "../common/common-schemas.json#/components/schemas/"
LOCAL_PREFIX = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "patch")


def rewrite_refs(node, external_used):
    """Points external common-schema refs at local names; records which external schemas are used."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMMON_PREFIX):
            name = ref[len(COMMON_PREFIX):]
            external_used.add(name)
            node["$ref"] = LOCAL_PREFIX + name
        for value in node.values():
            rewrite_refs(value, external_used)
    elif isinstance(node, list):
        for value in node:
            rewrite_refs(value, external_used)


def rename_refs(node, renames):
    if not renames:
        return
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(LOCAL_PREFIX) and ref[len(LOCAL_PREFIX):] in renames:
            node["$ref"] = LOCAL_PREFIX + renames[ref[len(LOCAL_PREFIX):]]
        for value in node.values():
            rename_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            rename_refs(value, renames)


def local_refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith(LOCAL_PREFIX):
                sys.exit(f"unexpected reference {ref}")
            found.add(ref[len(LOCAL_PREFIX):])
        for value in node.values():
            local_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            local_refs(value, found)


def overlay_date_of_birth(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "dateOfBirth" and isinstance(value, dict) and value.get("type") == "object":
                value["type"] = "string"
            overlay_date_of_birth(value)
    elif isinstance(node, list):
        for value in node:
            overlay_date_of_birth(value)


def bundle(version, output):
    """Bundles OPERATIONS from the specs of one API version ("2021-07-28" or "v3") into `output`."""
    folder = SPECS / "apps" if version != "v3" else SPECS / "apps" / "v3"
    suffix = "" if version != "v3" else "-v3"
    common = json.loads((folder.parent / "common" / "common-schemas.json").read_text() if version != "v3"
                        else (folder / "common" / "common-schemas.json").read_text())["components"]["schemas"]
    merged = {
        "openapi": "3.0.3",
        "info": {
            "title": f"GoHighLevel API {'v3' if version == 'v3' else 'v2'} — the operations Switchboard uses",
            "version": version,
            "description": "Generated by Tools/preprocess-ghl-specs.py from GHL's official specs (CC0). Do not edit.",
        },
        "servers": [{"url": "https://services.leadconnectorhq.com"}],
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    schemas = merged["components"]["schemas"]
    origin = {}
    for spec_name, wanted in OPERATIONS.items():
        spec = json.loads((folder / f"{spec_name}{suffix}.json").read_text())
        found = set()
        external_used = set()
        spec_schemas = copy.deepcopy(spec.get("components", {}).get("schemas", {}))
        rewrite_refs(spec_schemas, external_used)
        # Schemas this file defines differently from an earlier file get this file's name in front.
        renames = {
            name: spec_name.capitalize() + name
            for name, schema in spec_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        for path, item in spec["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if operation is None or operation.get("operationId") not in wanted:
                    continue
                operation = copy.deepcopy(operation)
                rewrite_refs(operation, external_used)
                rename_refs(operation, renames)
                merged["paths"].setdefault(path, {})[method] = operation
                found.add(operation["operationId"])
        missing = set(wanted) - found
        if missing:
            sys.exit(f"{spec_name}.json: operations not found: {sorted(missing)}")
        rename_refs(spec_schemas, renames)
        spec_schemas = {renames.get(name, name): schema for name, schema in spec_schemas.items()}
        for name, schema in list(spec_schemas.items()) + [(n, copy.deepcopy(common[n])) for n in sorted(external_used)]:
            if name in schemas and schemas[name] != schema:
                sys.exit(f"schema {name} differs between {origin[name]} and {spec_name}")
            schemas[name] = schema
            origin.setdefault(name, spec_name)
        for name, scheme in spec.get("components", {}).get("securitySchemes", {}).items():
            merged["components"]["securitySchemes"].setdefault(name, scheme)

    # Keep only the schemas reachable from the kept operations.
    reachable = set()
    frontier = set()
    local_refs(merged["paths"], frontier)
    while frontier:
        name = frontier.pop()
        if name in reachable:
            continue
        if name not in schemas:
            sys.exit(f"unresolved schema {name}")
        reachable.add(name)
        local_refs(schemas[name], frontier)
    merged["components"]["schemas"] = {name: schemas[name] for name in sorted(reachable)}
    overlay_date_of_birth(merged)
    stages = schemas["PipelinesResponseSchema"]["properties"]["stages"]
    if stages.get("items") != {"type": "array"}:
        sys.exit("pipeline stages are no longer typed as arrays of arrays: drop overlay 7")
    stages["items"] = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "position": {"type": "number"},
        },
    }
    duplicate = merged["paths"]["/contacts/search/duplicate"]["get"]["responses"]["200"]
    if "content" in duplicate:
        sys.exit("get-duplicate-contact now declares a body: drop overlay 5")
    duplicate["content"] = {"application/json": {"schema": {
        "type": "object",
        "properties": {"contact": {"allOf": [{"$ref": LOCAL_PREFIX + "GetContectByIdSchema"}], "nullable": True}},
    }}}

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    operations = sum(1 for item in merged["paths"].values() for m in METHODS if m in item)
    print(f"wrote {output.relative_to(ROOT)}: {operations} operations, {len(reachable)} schemas")


def main():
    bundle("2021-07-28", OUTPUT)
    bundle("v3", OUTPUT_V3)


if __name__ == "__main__":
    main()
