/** A part of the server started and stopped by the app, in order. */
export interface Module {
  readonly name: string;
  start(): Promise<void>;
  /** Stops gracefully: finish work in flight, then release resources. */
  stop(): Promise<void>;
}
