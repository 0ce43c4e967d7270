"""The Python clients over TLS and with an API key:
python3 secure_clients.py CA CLIENT_CERT CLIENT_KEY API_KEY LOCKED_GRPC LOCKED_REST TLS_ONLY_GRPC

LOCKED_* serve mutual TLS and want the API key; TLS_ONLY_GRPC serves TLS only.
"""
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from ovmsclient import make_grpc_client

from common import run_checks

ca, client_cert, client_key, api_key, locked_grpc, locked_rest, tls_only_grpc = sys.argv[1:8]

triton_grpc = grpcclient.InferenceServerClient(
    url=locked_grpc, ssl=True, root_certificates=ca, private_key=client_key,
    certificate_chain=client_cert)
triton_http = httpclient.InferenceServerClient(
    url=locked_rest, ssl=True,
    ssl_options={"ca_certs": ca, "certfile": client_cert, "keyfile": client_key})
grpc_key = {"authorization": f"Bearer {api_key}"}
http_key = {"Authorization": f"Bearer {api_key}"}
x = np.asarray([[1, 2, 3]], dtype=np.float32)


def triton_infer(mod, client, headers=None):
    tensor = mod.InferInput("x", [1, 3], "FP32")
    tensor.set_data_from_numpy(x)
    return client.infer("fixed", [tensor], headers=headers).as_numpy("y").tolist()


# ovmsclient takes TLS settings but no request metadata, so it can carry no API key.
ovms_tls = make_grpc_client(tls_only_grpc, tls_config={"server_cert_path": ca})
ovms_mtls = make_grpc_client(locked_grpc, tls_config={
    "server_cert_path": ca, "client_cert_path": client_cert, "client_key_path": client_key})

run_checks([
    ("triton_grpc_live_without_key", lambda: triton_grpc.is_server_live()),
    ("triton_grpc_infer_with_key", lambda: triton_infer(grpcclient, triton_grpc, grpc_key)),
    ("triton_grpc_infer_without_key", lambda: triton_infer(grpcclient, triton_grpc)),
    ("triton_http_ready_without_key", lambda: triton_http.is_server_ready()),
    ("triton_http_infer_with_key", lambda: triton_infer(httpclient, triton_http, http_key)),
    ("triton_http_infer_without_key", lambda: triton_infer(httpclient, triton_http)),
    ("ovms_grpc_tls_predict", lambda: ovms_tls.predict(inputs={"x": x}, model_name="fixed").tolist()),
    ("ovms_grpc_mtls_without_key", lambda: ovms_mtls.get_model_status(model_name="fixed")),
])
