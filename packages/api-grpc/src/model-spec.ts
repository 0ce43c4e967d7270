import { ServingError, StatusCode } from '@ovms/core';
import type { ModelSpec } from '@ovms/proto';

/** What a TF Serving request names: the model, and a version or none (the default). */
export interface RequestedServable {
  readonly name: string;
  /** undefined = the default version (highest AVAILABLE), as OVMS resolves version 0 or none. */
  readonly version: number | undefined;
}

/** TF Serving's default (and OVMS's only) signature name. */
export const SERVING_DEFAULT = 'serving_default';

/**
 * The model and version a TF Serving ModelSpec asks for. OVMS reads only
 * `model_spec.version().value()` (src/prediction_service.cpp, src/get_model_metadata_impl.cpp):
 * a `version_label` is ignored and the default version serves, as does version 0. Versions
 * beyond 2^53 cannot name a real version directory; the provider answers them as missing.
 */
export function requestedServable(spec: ModelSpec | undefined): RequestedServable {
  if (spec === undefined) throw new ServingError(StatusCode.MODEL_SPEC_MISSING);
  const choice = spec.versionChoice;
  if (choice?.$case !== 'version' || choice.version === undefined || choice.version === 0n) {
    return { name: spec.name, version: undefined };
  }
  return { name: spec.name, version: Number(choice.version) };
}

/**
 * The ModelSpec a response carries: the served name and version, and the signature (Predict
 * names `serving_default`; GetModelMetadata, like OVMS, leaves it empty).
 */
export function servedModelSpec(
  name: string,
  version: number,
  signatureName: string = SERVING_DEFAULT,
): ModelSpec {
  return { name, versionChoice: { $case: 'version', version: BigInt(version) }, signatureName };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A KServe `model_version` string as a number: "" and "0" are undefined (the default version,
 * as OVMS's version 0); anything that is not a base-10 int64 is refused, as OVMS's `stoi64`
 * check refuses it with MODEL_VERSION_INVALID_FORMAT
 * (src/kfs_frontend/kfs_grpc_inference_service.cpp).
 */
export function parseKServeVersion(version: string): number | undefined {
  if (version === '' || version === '0') return undefined;
  const valid = /^-?\d{1,19}$/.test(version);
  const value = valid ? BigInt(version) : 0n;
  if (!valid || value < INT64_MIN || value > INT64_MAX) {
    throw new ServingError(
      StatusCode.MODEL_VERSION_INVALID_FORMAT,
      `Actual: ${JSON.stringify(version)}`,
    );
  }
  return value === 0n ? undefined : Number(value);
}
