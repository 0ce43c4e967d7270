"""Option-matrix steps against one server, over the four transports, with the clients OVMS users run:
python3 option_matrix.py GRPC_ADDRESS REST_ADDRESS < steps.json

stdin: a JSON list of steps, run in order, each
  {"id", "transport": "tfs_grpc" | "tfs_rest" | "kserve_grpc" | "kserve_rest",
   "op": "infer" | "metadata" | "status", "model", "version"?: int,
   "inputs"?: {name: {"shape": [...], "values": [...]}} (FP32), "outputs"?: [names] (absent: all),
   "versions"?: [int] (status over KServe: readiness of each)}
stdout: {id: {"ok": result} | {"error": {...}}} (common.run_checks), where an infer result is
{output: {"shape", "values"}}, metadata is {"inputs": {name: shape}, "outputs": {name: shape}} and
status is {version: {"state", "error_code", "error_message"}} (TFS) or {version: ready | {"error"}}
(KServe).
"""
import json
import sys

import numpy as np
import tritonclient.grpc as triton_grpc
import tritonclient.http as triton_http
from ovmsclient import make_grpc_client, make_http_client

from common import run_checks

grpc_address, rest_address = sys.argv[1], sys.argv[2]
clients = {
    "tfs_grpc": make_grpc_client(grpc_address),
    "tfs_rest": make_http_client(rest_address),
    "kserve_grpc": triton_grpc.InferenceServerClient(url=grpc_address),
    "kserve_rest": triton_http.InferenceServerClient(url=rest_address),
}


def tensor_result(array):
    array = np.asarray(array)
    return {"shape": list(array.shape), "values": array.astype(float).ravel().tolist()}


def arrays(step):
    return {name: np.asarray(spec["values"], dtype=np.float32).reshape(spec["shape"])
            for name, spec in step["inputs"].items()}


def tfs_infer(client, step):
    result = client.predict(inputs=arrays(step), model_name=step["model"],
                            model_version=step.get("version", 0))
    if isinstance(result, dict):
        return {name: tensor_result(value) for name, value in result.items()}
    # ovmsclient answers a lone output without its name
    return {(step.get("outputs") or ["(unnamed)"])[0]: tensor_result(result)}


def kserve_infer(transport, step):
    module = triton_grpc if transport == "kserve_grpc" else triton_http
    tensors = []
    for name, array in arrays(step).items():
        tensor = module.InferInput(name, list(array.shape), "FP32")
        tensor.set_data_from_numpy(array)
        tensors.append(tensor)
    names = step.get("outputs")
    requested = None if names is None else [module.InferRequestedOutput(name) for name in names]
    result = clients[transport].infer(step["model"], tensors, model_version=str(step.get("version", "")),
                                      outputs=requested)
    if names is None:
        response = result.get_response()
        names = ([output["name"] for output in response["outputs"]] if transport == "kserve_rest"
                 else [output.name for output in response.outputs])
    return {name: tensor_result(result.as_numpy(name)) for name in names}


def metadata(transport, step):
    client = clients[transport]
    if transport.startswith("tfs"):
        found = client.get_model_metadata(model_name=step["model"], model_version=step.get("version", 0))
        return {side: {name: [int(d) for d in spec["shape"]] for name, spec in found[side].items()}
                for side in ("inputs", "outputs")}
    version = str(step.get("version", ""))
    found = (client.get_model_metadata(step["model"], version) if transport == "kserve_rest"
             else client.get_model_metadata(step["model"], version, as_json=True))
    return {side: {tensor["name"]: [int(d) for d in tensor["shape"]] for tensor in found[side]}
            for side in ("inputs", "outputs")}


def status(transport, step):
    client = clients[transport]
    if transport.startswith("tfs"):
        return {str(version): state for version, state in client.get_model_status(model_name=step["model"]).items()}
    return {str(version): readiness(client, step["model"], version) for version in step["versions"]}


def readiness(client, model, version):
    try:
        return client.is_model_ready(model, str(version))
    except Exception as error:  # tritonclient's gRPC client raises where the server answers an error
        return {"error": error.message() if callable(getattr(error, "message", None)) else str(error)}


def run(step):
    transport, op = step["transport"], step["op"]
    if op == "infer":
        return tfs_infer(clients[transport], step) if transport.startswith("tfs") else kserve_infer(transport, step)
    if op == "metadata":
        return metadata(transport, step)
    if op == "status":
        return status(transport, step)
    raise ValueError(f"unknown op {op}")


run_checks([(step["id"], lambda step=step: run(step)) for step in json.load(sys.stdin)])
