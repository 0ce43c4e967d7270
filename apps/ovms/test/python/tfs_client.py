"""TF Serving API through ovmsclient (gRPC or REST): python3 tfs_client.py grpc|rest HOST:PORT"""
import sys

import numpy as np
from ovmsclient import make_grpc_client, make_http_client

from common import run_checks

transport, address = sys.argv[1], sys.argv[2]
client = make_grpc_client(address) if transport == "grpc" else make_http_client(address)
ones = np.ones((1, 4), np.float32)
counting = np.arange(4, dtype=np.float32).reshape(1, 4)


def listed(array):
    return np.asarray(array).astype(float).tolist()


run_checks([
    ("status", lambda: client.get_model_status(model_name="add")),
    ("status_v1", lambda: client.get_model_status(model_name="add", model_version=1)),
    ("metadata", lambda: client.get_model_metadata(model_name="two")),
    ("predict", lambda: listed(client.predict(inputs={"a": counting, "b": ones}, model_name="add"))),
    ("predict_v1", lambda: listed(client.predict(inputs={"a": counting, "b": ones}, model_name="add", model_version=1))),
    ("predict_two_outputs", lambda: {name: listed(value) for name, value in client.predict(
        inputs={"a": np.full((2, 3), 5, np.float32), "b": np.ones((2, 3), np.float32)}, model_name="two").items()}),
    ("unknown_model", lambda: client.predict(inputs={"a": ones}, model_name="nope")),
    ("unknown_version", lambda: client.get_model_status(model_name="add", model_version=9)),
    ("wrong_input_name", lambda: client.predict(inputs={"z": np.ones((1, 3), np.float32)}, model_name="fixed")),
    ("wrong_shape", lambda: client.predict(inputs={"x": np.ones((1, 4), np.float32)}, model_name="fixed")),
    ("wrong_dtype", lambda: client.predict(inputs={"x": np.ones((1, 3), np.int32)}, model_name="fixed")),
])
