/**
 * The KServe JSON request most end-to-end tests send the demo `add` model (and pipelines built
 * on it): inputs `a` and `b`, both 1×4 FP32 holding `values`.
 */
export function kserveAddRequest(values: readonly number[] = [1, 2, 3, 4]) {
  return {
    inputs: ['a', 'b'].map((name) => ({ name, shape: [1, 4], datatype: 'FP32', data: values })),
  };
}

/** `kserveAddRequest` as the body text a curl-shaped client posts. */
export const kserveAddBody = (values?: readonly number[]): string =>
  JSON.stringify(kserveAddRequest(values));
