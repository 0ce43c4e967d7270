"""Triton's model repository and statistics calls through tritonclient:
python3 model_control.py http|grpc HOST:PORT explicit|none

The repository holds `add` (versions 1 and 2, FP32 a + b of shape (-1,4)) and `fixed`.
"""
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from common import run_checks

transport, address, mode = sys.argv[1], sys.argv[2], sys.argv[3]
mod = httpclient if transport == "http" else grpcclient
client = mod.InferenceServerClient(url=address)


def index(ready=False):
    if mod is httpclient:
        models = client.get_model_repository_index()
    else:
        models = client.get_model_repository_index(as_json=True).get("models", [])
    if ready:
        models = [m for m in models if m.get("state") == "READY"]
    # protobuf's JSON leaves out empty strings; HTTP sends every field.
    return [{key: m.get(key, "") for key in ("name", "version", "state", "reason")} for m in models]


def infer_add():
    tensors = []
    for name in ("a", "b"):
        tensor = mod.InferInput(name, [1, 4], "FP32")
        tensor.set_data_from_numpy(np.asarray([[1, 2, 3, 4]], dtype=np.float32))
        tensors.append(tensor)
    return client.infer("add", tensors).as_numpy("sum").tolist()


def statistics(name="", version=""):
    if mod is httpclient:
        stats = client.get_inference_statistics(name, version)
    else:
        stats = client.get_inference_statistics(name, version, as_json=True)
    out = []
    # protobuf's JSON writes uint64 as strings and leaves out zeros; HTTP sends numbers.
    for entry in stats.get("model_stats", []):
        inference = entry.get("inference_stats", {})
        out.append({
            "name": entry["name"],
            "version": entry["version"],
            "inference_count": int(entry.get("inference_count", 0)),
            "execution_count": int(entry.get("execution_count", 0)),
            "last_inference_set": int(entry.get("last_inference", 0)) > 0,
            "counts": {key: int(inference.get(key, {}).get("count", 0))
                       for key in ("success", "fail", "queue", "compute_input", "compute_infer",
                                   "compute_output")},
            "success_ns_set": int(inference.get("success", {}).get("ns", 0)) > 0,
            "compute_infer_ns_set": int(inference.get("compute_infer", {}).get("ns", 0)) > 0,
        })
    return out


def load(name, config=None):
    client.load_model(name, config=config)
    return True


def unload(name):
    client.unload_model(name)
    return True


if mode == "explicit":
    checks = [
        ("index_at_start", index),
        ("ready_at_start", lambda: client.is_model_ready("add")),
        ("load", lambda: load("add")),
        ("ready_after_load", lambda: client.is_model_ready("add")),
        ("index_ready", lambda: index(ready=True)),
        ("infer_1", infer_add),
        ("infer_2", infer_add),
        ("infer_3", infer_add),
        ("statistics", lambda: statistics("add")),
        ("statistics_all", statistics),
        ("statistics_version", lambda: statistics("add", "2")),
        ("statistics_missing_version", lambda: statistics("add", "7")),
        ("load_override", lambda: load("add", '{"model_version_policy": {"all": {}}}')),
        ("index_override", lambda: index(ready=True)),
        ("load_bad_config", lambda: load("add", '{"nireq": "x"}')),
        ("load_unknown", lambda: load("zzz")),
        ("load_bad_name", lambda: load("a\\b")),
        ("unload", lambda: unload("add")),
        ("ready_after_unload", lambda: client.is_model_ready("add")),
        ("index_after_unload", index),
        ("statistics_unloaded", lambda: statistics("add")),
    ]
    if mod is grpcclient:
        # The name goes as it is on gRPC (over HTTP the client would put it in the path).
        checks += [("load_parent", lambda: load("..")), ("load_path", lambda: load("../add")),
                   ("load_empty", lambda: load(""))]
else:
    checks = [
        ("index", index),
        ("infer", infer_add),
        ("statistics", lambda: statistics("add")),
        ("load", lambda: load("add")),
        ("unload", lambda: unload("add")),
        ("statistics_unknown", lambda: statistics("zzz")),
    ]
run_checks(checks)
