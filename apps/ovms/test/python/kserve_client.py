"""KServe v2 through tritonclient (HTTP or gRPC): python3 kserve_client.py http|grpc HOST:PORT"""
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from common import run_checks

transport, address = sys.argv[1], sys.argv[2]
mod = httpclient if transport == "http" else grpcclient
client = mod.InferenceServerClient(url=address)


def inputs(name_shape_values, binary=True, datatype="FP32"):
    made = []
    for name, shape, values in name_shape_values:
        tensor = mod.InferInput(name, list(shape), datatype)
        array = np.asarray(values, dtype=np.float32 if datatype == "FP32" else np.int32).reshape(shape)
        if mod is httpclient:
            tensor.set_data_from_numpy(array, binary_data=binary)
        else:
            tensor.set_data_from_numpy(array)
        made.append(tensor)
    return made


def infer(model, tensors, outputs=None, binary=True, version=""):
    requested = None
    if outputs is not None:
        requested = [mod.InferRequestedOutput(name, binary_data=binary) if mod is httpclient
                     else mod.InferRequestedOutput(name) for name in outputs]
    result = client.infer(model, tensors, model_version=version, outputs=requested)
    names = outputs or [out["name"] for out in metadata(model)["outputs"]]
    return {name: result.as_numpy(name).astype(float).tolist() for name in names}


def metadata(model, version=""):
    if mod is httpclient:
        return client.get_model_metadata(model, version)
    return client.get_model_metadata(model, version, as_json=True)


def server_metadata():
    return client.get_server_metadata() if mod is httpclient else client.get_server_metadata(as_json=True)


fixed_x = [("x", (1, 3), [1, 2, 3])]
run_checks([
    ("live", client.is_server_live),
    ("ready", client.is_server_ready),
    ("model_ready", lambda: client.is_model_ready("add")),
    ("model_ready_v1", lambda: client.is_model_ready("add", "1")),
    ("server_metadata", server_metadata),
    ("model_metadata", lambda: metadata("add")),
    ("infer_json", lambda: infer("fixed", inputs(fixed_x, binary=False), ["y"], binary=False)),
    ("infer_binary", lambda: infer("fixed", inputs(fixed_x, binary=True), ["y"], binary=True)),
    ("infer_version", lambda: infer("two", inputs([("a", (1, 3), [5, 5, 5]), ("b", (1, 3), [1, 2, 3])]),
                                    ["sum", "diff"], version="1")),
    ("unknown_model", lambda: metadata("nope")),
    ("unknown_version", lambda: infer("add", inputs([("a", (1, 4), [1] * 4), ("b", (1, 4), [1] * 4)]), version="9")),
    ("wrong_input_name", lambda: infer("fixed", inputs([("z", (1, 3), [1, 2, 3])]))),
    ("wrong_shape", lambda: infer("fixed", inputs([("x", (3, 1), [1, 2, 3])]))),
    ("wrong_dtype", lambda: infer("fixed", inputs(fixed_x, datatype="INT32"))),
])
