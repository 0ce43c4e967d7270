"""Helpers shared by the client scripts: run named checks, print one JSON object."""
import json
import sys


def run_checks(checks):
    """Runs each (name, fn) and prints {name: {"ok": result} | {"error": {...}}} as JSON."""
    results = {}
    for name, fn in checks:
        try:
            results[name] = {"ok": fn()}
        except Exception as error:  # every failure is a result the TS test asserts on
            status = getattr(error, "status", None)
            results[name] = {
                "error": {
                    "type": type(error).__name__,
                    "message": error.message() if callable(getattr(error, "message", None)) else str(error),
                    "status": str(status()) if callable(status) else None,
                }
            }
    # numpy arrays (and scalars) become plain lists and numbers
    json.dump(results, sys.stdout, default=lambda value: value.tolist())
