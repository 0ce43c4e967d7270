import { BufferPool, joinKey, joinRows, rowsOf, sliceRows } from './batch-rows.js';
import type { InferTiming, LoadedModel } from './engine.js';
import type { MetricsRecorder } from './metrics-recorder.js';
import { ServingError, StatusCode } from './status.js';
import { formatShape, type TensorMap } from './tensor.js';

/** The `dynamic_batching` model config key, parsed (SPEC.md "Dynamic batching"). */
export interface DynamicBatchingSettings {
  /** Most rows one batch holds (≥ 1). */
  readonly maxBatchSize: number;
  /** Longest a request waits for company, from its arrival (≥ 0; 0: joins only a backlog). */
  readonly maxQueueDelayUs: number;
  /** Row counts at which a waiting batch starts at once, each ≤ maxBatchSize. */
  readonly preferredBatchSizes?: readonly number[];
}

export interface DynamicBatcherOptions {
  readonly name: string;
  readonly version: number;
  readonly loaded: LoadedModel;
  readonly settings: DynamicBatchingSettings;
  /** Receives each batch's size and its members' queue delays; absent: nothing is reported. */
  readonly metrics?: MetricsRecorder;
  /**
   * Batches run at once; the rest wait, which is what lets a backlog form. Default: the
   * engine's infer request pool (`nireq`), else 1.
   */
  readonly maxBatchesInFlight?: number;
}

/** Runs a loaded model's inferences, joining concurrent compatible requests into batches. */
export interface DynamicBatcher {
  /** Same contract as LoadedModel.infer, for one request's already validated inputs. */
  infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap>;
}

interface Member {
  readonly inputs: TensorMap;
  readonly rows: number;
  readonly arrivedAt: number;
  readonly timing: InferTiming | undefined;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (outputs: TensorMap) => void;
  readonly reject: (reason: unknown) => void;
  group: Group | undefined;
  settled: boolean;
  onAbort: (() => void) | undefined;
}

/** Requests waiting that may share a batch. */
interface Group {
  readonly key: string;
  readonly members: Member[];
  rows: number;
}

const nowUs = (): number => performance.now() * 1000;

/** Weight of the newest gap in the mean time between arrivals. */
const GAP_WEIGHT = 0.2;

/**
 * Checks at load that batches can be joined and split for this model: every input's first
 * dimension dynamic (or `auto`), every output's first dimension dynamic. Throws
 * CONFIG_FILE_INVALID naming the model and the tensor otherwise.
 */
export function checkBatchable(name: string, loaded: LoadedModel): void {
  for (const input of loaded.inputs) {
    const auto = input.autoDims === 'all' || (input.autoDims?.includes(0) ?? false);
    if (auto || input.shape[0] === -1) continue;
    throw new ServingError(
      StatusCode.CONFIG_FILE_INVALID,
      `model ${name}: dynamic_batching needs the first dimension of every input dynamic or batch_size auto; input ${input.name} has shape ${formatShape(input.shape)}`,
    );
  }
  for (const output of loaded.outputs) {
    if (output.shape.length === 0 || output.shape[0] === -1) continue;
    throw new ServingError(
      StatusCode.CONFIG_FILE_INVALID,
      `model ${name}: dynamic_batching cannot split output ${output.name} of shape ${formatShape(output.shape)} by rows; its first dimension must be dynamic`,
    );
  }
}

class Batcher implements DynamicBatcher {
  readonly #options: DynamicBatcherOptions;
  readonly #max: number;
  readonly #delayUs: number;
  readonly #preferred: ReadonlySet<number>;
  readonly #slots: number;
  /** Waiting groups in the order their oldest member arrived. */
  readonly #groups = new Map<string, Group>();
  readonly #pool: BufferPool;
  #running = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  /** Moving mean of the time between arrivals; 0 at first, so the first request waits. */
  #gapUs = 0;
  #lastArrival: number | undefined;

  constructor(options: DynamicBatcherOptions) {
    this.#options = options;
    this.#max = options.settings.maxBatchSize;
    this.#delayUs = options.settings.maxQueueDelayUs;
    this.#preferred = new Set(options.settings.preferredBatchSizes ?? []);
    this.#slots = Math.max(1, options.maxBatchesInFlight ?? options.loaded.usage?.().nireq ?? 1);
    this.#pool = new BufferPool(this.#slots * Math.max(1, options.loaded.inputs.length));
  }

  infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap> {
    const rows = rowsOf(inputs);
    // A request too big for any batch, or without rows to join, runs alone as it would unbatched.
    if (rows === undefined || rows === 0 || rows > this.#max) {
      return this.#options.loaded.infer(inputs, signal, timing);
    }
    return new Promise<TensorMap>((resolve, reject) => {
      // Throwing here rejects the promise: an aborted request never queues.
      signal?.throwIfAborted();
      const arrivedAt = nowUs();
      if (this.#lastArrival !== undefined) {
        this.#gapUs += GAP_WEIGHT * (arrivedAt - this.#lastArrival - this.#gapUs);
      }
      this.#lastArrival = arrivedAt;
      const member: Member = {
        inputs,
        rows,
        arrivedAt,
        timing,
        signal,
        resolve,
        reject,
        group: undefined,
        settled: false,
        onAbort: undefined,
      };
      if (signal !== undefined) {
        member.onAbort = () => this.#abort(member);
        signal.addEventListener('abort', member.onAbort, { once: true });
      }
      this.#enqueue(member);
      this.#pump();
    });
  }

  #enqueue(member: Member): void {
    const key = joinKey(member.inputs);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { key, members: [], rows: 0 };
      this.#groups.set(key, group);
    }
    group.members.push(member);
    group.rows += member.rows;
    member.group = group;
  }

  /** A queued request leaves its group; one already running is answered with its abort alone. */
  #abort(member: Member): void {
    const group = member.group;
    if (group !== undefined) {
      group.members.splice(group.members.indexOf(member), 1);
      group.rows -= member.rows;
      member.group = undefined;
      if (group.members.length === 0) this.#groups.delete(group.key);
    }
    this.#settle(member, undefined, member.signal?.reason);
  }

  #settle(member: Member, outputs: TensorMap | undefined, error?: unknown): void {
    if (member.settled) return;
    member.settled = true;
    if (member.onAbort !== undefined) member.signal?.removeEventListener('abort', member.onAbort);
    if (outputs !== undefined) member.resolve(outputs);
    else member.reject(error);
  }

  /**
   * Starts every batch that is due while slots are free, then arms the timer for the next.
   * `slotFreed`: a batch just finished, so the oldest group waited behind a busy engine and
   * starts now; waiting out its delay as well would only idle the engine it waited for.
   */
  #pump(slotFreed = false): void {
    const now = nowUs();
    let next = Infinity;
    let flush = slotFreed;
    // Requests arriving further apart than the delay would wait it out alone: start them now.
    const lonely = this.#gapUs > this.#delayUs;
    for (const group of this.#groups.values()) {
      if (this.#running >= this.#slots) break;
      const deadline = group.members[0]!.arrivedAt + this.#delayUs;
      const due = group.rows >= this.#max || this.#preferred.has(group.rows) || deadline <= now;
      if (due || flush || lonely) {
        flush = false;
        this.#start(group, now);
      } else {
        next = Math.min(next, deadline);
      }
    }
    // While every slot is busy the groups wait for a slot, not a timer: `#run` pumps again.
    if (this.#running >= this.#slots) next = Infinity;
    this.#arm(next, now);
  }

  #arm(deadline: number, now: number): void {
    if (deadline === this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = deadline;
    if (deadline === Infinity) return;
    // Node's timers have millisecond resolution: a delay below 1 ms waits about 1 ms.
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#pump();
      },
      (deadline - now) / 1000,
    );
  }

  /** Takes the group's oldest members up to max rows and runs them as one inference. */
  #start(group: Group, now: number): void {
    const members: Member[] = [];
    let rows = 0;
    while (group.members.length > 0 && rows + group.members[0]!.rows <= this.#max) {
      const member = group.members.shift()!;
      member.group = undefined;
      rows += member.rows;
      members.push(member);
    }
    group.rows -= rows;
    // A group that keeps members goes to the back, so the other groups get the next free slots.
    this.#groups.delete(group.key);
    if (group.members.length > 0) this.#groups.set(group.key, group);
    this.#running++;
    this.#report(members, rows, now);
    void this.#run(members, rows);
  }

  async #run(members: readonly Member[], rows: number): Promise<void> {
    const taken: Uint8Array[] = [];
    const timing: InferTiming = { waitUs: -1, inferenceUs: -1 };
    try {
      const inputs =
        members.length === 1
          ? members[0]!.inputs
          : joinRows(
              members.map((member) => member.inputs),
              rows,
              this.#pool,
              taken,
            );
      // The batch's own run: no member's signal may cancel its batch-mates' work.
      const outputs = await this.#options.loaded.infer(inputs, undefined, timing);
      let start = 0;
      for (const member of members) {
        if (member.timing !== undefined) Object.assign(member.timing, timing);
        // Splitting checks every output, so a bad one fails each member rather than one.
        this.#settle(member, sliceRows(outputs, rows, start, member.rows));
        start += member.rows;
      }
    } catch (error) {
      for (const member of members) this.#settle(member, undefined, error);
    } finally {
      for (const view of taken) this.#pool.give(view);
      this.#running--;
      this.#pump(true);
    }
  }

  #report(members: readonly Member[], rows: number, now: number): void {
    const metrics = this.#options.metrics;
    if (metrics?.batchDone === undefined) return;
    metrics.batchDone({
      name: this.#options.name,
      version: this.#options.version,
      size: rows,
      queueDelaysUs: members.map((member) => Math.max(0, now - member.arrivedAt)),
    });
  }
}

/**
 * Dynamic batching for one loaded model version, with Triton's semantics (SPEC.md "Dynamic
 * batching"): requests whose inputs agree in names, dtype and every dimension but the first
 * join along dimension 0, up to `maxBatchSize` rows. A batch starts when it is full, when its
 * rows reach a preferred size, or when its oldest request has waited `maxQueueDelayUs`, and
 * only while fewer than `maxBatchesInFlight` batches run: while the engine is busy, requests
 * gather, and the oldest group starts the moment a batch finishes, its delay or not (an idle
 * engine waits at most the delay for company; a busy one never adds it). When requests have
 * lately arrived further apart than the delay (a mean over arrivals), none waits: company is
 * not expected, so waiting would only add the delay to every request of a quiet model. Each request gets its
 * own rows back as views of the batch's outputs. Call `checkBatchable` first.
 */
export function createDynamicBatcher(options: DynamicBatcherOptions): DynamicBatcher {
  return new Batcher(options);
}
