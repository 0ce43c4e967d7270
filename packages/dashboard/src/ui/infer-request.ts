/** A tensor of KServe `GET /v2/models/{m}` metadata. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/**
 * Whether an input takes an encoded image: BYTES, or numeric of rank 4 (N…HWC), the inputs
 * the server decodes JPEG/PNG for (docs/binary-inputs.md).
 */
export function takesImage(input: TensorMetadata): boolean {
  return input.datatype === 'BYTES' || input.shape.length === 4;
}

/**
 * A KServe REST infer body a person can edit: every input with its dynamic dimensions set to 1
 * and zeros (empty strings for BYTES) as data.
 */
export function jsonTemplate(metadata: ModelMetadata): string {
  const inputs = metadata.inputs.map((input) => {
    const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
    const size = shape.reduce((a, b) => a * b, 1);
    const fill = input.datatype === 'BYTES' ? '' : input.datatype === 'BOOL' ? false : 0;
    // Huge inputs (images as tensors) get an empty data list rather than a megabyte of zeros.
    const data = size <= 64 ? new Array<unknown>(size).fill(fill) : [];
    return { name: input.name, shape, datatype: input.datatype, data };
  });
  return JSON.stringify({ inputs }, null, 2);
}

/** A request body with its headers, ready for `fetch`. */
export interface EncodedRequest {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly headers: Record<string, string>;
}

/**
 * One image as a KServe REST infer request with the binary data extension: a JSON header
 * naming the BYTES input of shape [1], then the image behind its 4-byte little-endian length
 * (the layout of BYTES in binary data), `Inference-Header-Content-Length` telling them apart.
 */
export function imageRequest(inputName: string, image: Uint8Array): EncodedRequest {
  const header = new TextEncoder().encode(
    JSON.stringify({
      inputs: [
        {
          name: inputName,
          shape: [1],
          datatype: 'BYTES',
          parameters: { binary_data_size: image.byteLength + 4 },
        },
      ],
    }),
  );
  const body = new Uint8Array(header.byteLength + 4 + image.byteLength);
  body.set(header, 0);
  new DataView(body.buffer).setUint32(header.byteLength, image.byteLength, true);
  body.set(image, header.byteLength + 4);
  return {
    body,
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.byteLength),
    },
  };
}

/** An output of a KServe REST infer response. */
export interface InferOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data?: readonly unknown[];
}

/** The outputs of an infer response body (JSON, or JSON header before binary outputs). */
export function parseInferResponse(
  body: Uint8Array,
  headerLength: number | undefined,
): InferOutput[] {
  const json = new TextDecoder().decode(
    headerLength === undefined ? body : body.subarray(0, headerLength),
  );
  const parsed = JSON.parse(json) as { outputs?: InferOutput[] };
  return parsed.outputs ?? [];
}
