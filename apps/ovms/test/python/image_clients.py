"""Binary image inputs from ovmsclient and tritonclient, as their users send them:
python3 image_clients.py GRPC_ADDRESS REST_ADDRESS IMAGE_PATH"""
import sys

import numpy as np
import tritonclient.grpc as triton_grpc
import tritonclient.http as triton_http
from ovmsclient import make_grpc_client, make_http_client

from common import run_checks

grpc_address, rest_address, image_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(image_path, "rb") as file:
    image = file.read()


def ovmsclient_predict(client):
    # ovmsclient sends bytes as a DT_STRING tensor (gRPC) or {"b64": ...} (REST).
    return np.asarray(client.predict(inputs={"x": image}, model_name="image")).astype(float)


def triton_infer(module, address):
    client = module.InferenceServerClient(url=address)
    images = np.array([image], dtype=np.object_)
    infer_input = module.InferInput("x", [1], "BYTES")
    infer_input.set_data_from_numpy(images)
    return client.infer("image", [infer_input]).as_numpy("y").astype(float)


run_checks([
    ("ovmsclient_grpc", lambda: ovmsclient_predict(make_grpc_client(grpc_address))),
    ("ovmsclient_rest", lambda: ovmsclient_predict(make_http_client(rest_address))),
    ("tritonclient_grpc", lambda: triton_infer(triton_grpc, grpc_address)),
    ("tritonclient_http", lambda: triton_infer(triton_http, rest_address)),
])
