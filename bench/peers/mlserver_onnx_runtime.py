"""The benchmark's peer: an MLServer custom runtime that serves an .onnx file with ONNX Runtime
(CPU), so MLServer runs the same engine on the same model file as ovms-ts's onnxruntime engine.

model-settings.json names this class as its implementation and the file in parameters.uri.
Inputs arrive decoded as numpy arrays (JSON `data` or gRPC raw_input_contents alike) and every
session output goes back as a tensor of the same name, as KServe v2 asks.
"""

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class OnnxRuntimeModel(MLModel):
    async def load(self) -> bool:
        uri = await get_model_uri(self.settings)
        # ORT's defaults (intra-op threads = physical cores), as onnxruntime-node gets them:
        # the comparison is between servers, not between engine tunings.
        self._session = ort.InferenceSession(uri, providers=["CPUExecutionProvider"])
        self._output_names = [output.name for output in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {
            request_input.name: np.ascontiguousarray(
                NumpyCodec.decode_input(request_input), dtype=np.float32
            )
            for request_input in payload.inputs
        }
        results = self._session.run(self._output_names, feeds)
        return InferenceResponse(
            model_name=self.name,
            id=payload.id,
            outputs=[
                NumpyCodec.encode_output(name, value)
                for name, value in zip(self._output_names, results)
            ],
        )
