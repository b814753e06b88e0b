"""Validates a HAR file against the har-schema 2.0.0 JSON schemas.

Usage: python3 checkhar.py SCHEMA_DIR FILE.har

Prints the number of entries on success; prints every violation and
exits 1 otherwise. Only Python's json module and the jsonschema package
read the file: no hookscope code.
"""
import json
import os
import sys

import jsonschema


def validator_for(schema_dir, schema):
    """A Draft 6 validator resolving the schemas' $refs by file name:
    through the referencing package (jsonschema 4.18 and later), or
    RefResolver on older ones (Debian's python3-jsonschema)."""
    schemas = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name)) as f:
                schemas[name] = json.load(f)
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT6
    except ImportError:
        resolver = jsonschema.RefResolver("", schema, store=schemas)
        return jsonschema.Draft6Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
    registry = Registry().with_resources(
        (name, Resource.from_contents(s, default_specification=DRAFT6)) for name, s in schemas.items())
    return jsonschema.Draft6Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def main():
    schema_dir, har_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(schema_dir, "har.json")) as f:
        schema = json.load(f)
    with open(har_path, encoding="utf-8") as f:
        har = json.load(f)
    validator = validator_for(schema_dir, schema)
    errors = sorted(validator.iter_errors(har), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        print("/".join(str(p) for p in e.absolute_path), e.message, file=sys.stderr)
    if errors:
        sys.exit(1)
    print(len(har["log"]["entries"]))


main()
