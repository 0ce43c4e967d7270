/**
 * A failure reported by OpenVINO (either binding), carrying OpenVINO's own message. The engine
 * turns it into a ServingError with the code that fits where it happened (load, reshape, infer).
 */
export class OpenvinoError extends Error {
  override readonly name = 'OpenvinoError';
  /** The `ov_status_e` value for C API failures; undefined for openvino-node exceptions. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** The message of anything thrown, for wrapping into OpenvinoError / ServingError details. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
