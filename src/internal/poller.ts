import { CustomerKeyError, InvalidInputError, type CustomerKeyErrorCode } from "../errors.js";
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { CustomerKeyLogger } from "./logger.js";
import { runOperation, type OperationOptions } from "./operation.js";
import { sleep, throwIfAborted } from "./abort.js";

/** Where a long operation stands, in the shape of `@azure/core-lro`'s OperationState. */
export type OperationStatus = "notStarted" | "running" | "succeeded" | "failed" | "canceled";

/** The serialisable state of a long operation. */
export interface PollerState<TResult> {
  /** `notStarted`, `running`, `succeeded`, `failed` or `canceled`. */
  status: OperationStatus;
  /** The result, once succeeded. */
  result?: TResult;
  /** The failure, once failed or canceled. */
  error?: { code: string; message: string };
}

/**
 * A long-running operation, shaped like the Azure SDK's `PollerLike` (core-lro 3): await it, or
 * poll step by step, watch progress, and `serialize()` its state to resume it later in another
 * process with `resumeFrom` (Do-Not-Cancel approval takes days).
 */
export interface CustomerKeyPoller<TState extends PollerState<TResult>, TResult> extends Promise<TResult> {
  /** True once the operation succeeded, failed or was canceled. */
  readonly isDone: boolean;
  /** The state after the last poll. */
  readonly operationState: TState;
  /** The result once succeeded, else undefined. */
  readonly result: TResult | undefined;
  /** One step of the operation; safe to repeat. */
  poll(options?: { abortSignal?: AbortSignal }): Promise<TState>;
  /** Polls until done (waiting the poll interval between polls) and resolves with the result. */
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<TResult>;
  /** Calls back with the state after each poll; returns a function that stops it. */
  onProgress(callback: (state: TState) => void): () => void;
  /** The state as JSON: pass it as `resumeFrom` to resume, in any process. */
  serialize(): Promise<string>;
  /** Resolves at once: the first request goes out with the first poll (kept for core-lro compatibility). */
  submitted(): Promise<void>;
}

export interface PollerDefinition<TState extends PollerState<TResult>, TResult> {
  /** Names the operation in serialized state, so a state cannot resume the wrong kind of poller. */
  kind: string;
  /** The starting state, or the serialized state to resume from. */
  initialState: TState | string;
  /** One step: read (and, if needed, act), then return the new state. Must be safe to repeat. */
  step(state: TState, options: OperationOptions): Promise<TState>;
  /** Runs each step as this public operation (one span and log line per poll), e.g. `vaultPairs.beginApply`. */
  operation?: { name: string; context: { logger: CustomerKeyLogger }; tracingOptions?: OperationTracingOptions };
  intervalInMs: number;
  abortSignal?: AbortSignal;
}

const terminal = new Set<OperationStatus>(["succeeded", "failed", "canceled"]);

/** Failure of a long operation that finished as `failed`. */
export class OperationFailedError extends CustomerKeyError {}

export function createPoller<TState extends PollerState<TResult>, TResult>(
  definition: PollerDefinition<TState, TResult>,
): CustomerKeyPoller<TState, TResult> {
  let state = typeof definition.initialState === "string" ? deserialize<TState>(definition.kind, definition.initialState) : definition.initialState;
  const listeners = new Set<(s: TState) => void>();
  let running: Promise<TResult> | undefined;

  const poll = async (options: { abortSignal?: AbortSignal } = {}) => {
    const signal = options.abortSignal ?? definition.abortSignal;
    throwIfAborted(signal, definition.kind);
    if (!terminal.has(state.status)) {
      const stepOptions: OperationOptions = signal ? { abortSignal: signal } : {};
      const op = definition.operation;
      state = op
        ? await runOperation(op.context, op.name, { ...stepOptions, ...(op.tracingOptions ? { tracingOptions: op.tracingOptions } : {}) }, (o) => definition.step(state, o))
        : await definition.step(state, stepOptions);
      for (const listener of listeners) listener(state);
    }
    return state;
  };

  const pollUntilDone = (options: { abortSignal?: AbortSignal } = {}) => {
    running ??= (async () => {
      const signal = options.abortSignal ?? definition.abortSignal;
      for (;;) {
        await poll(signal ? { abortSignal: signal } : {});
        if (terminal.has(state.status)) break;
        await sleep(definition.intervalInMs, signal, definition.kind);
      }
      if (state.status === "succeeded") return state.result as TResult;
      const error = state.error ?? { code: "ERR_OPERATION_CANCELED", message: `${definition.kind} was canceled.` };
      // A state read back from JSON may carry any string; it is one of ours when this SDK wrote it.
      throw new OperationFailedError(error.code as CustomerKeyErrorCode, error.message);
    })().finally(() => (running = undefined));
    return running;
  };

  // Like core-lro 3, the poller is itself a promise of the result: `await client.beginX()` waits.
  let settled: Promise<TResult> | undefined;
  // A rejection (an abort, say) is not kept: awaiting the poller again resumes polling.
  const whenDone = () =>
    (settled ??= pollUntilDone().catch((error: unknown) => {
      settled = undefined;
      throw error;
    }));
  const poller = {
    get isDone() {
      return terminal.has(state.status);
    },
    get operationState() {
      return state;
    },
    get result() {
      return state.result;
    },
    poll,
    pollUntilDone,
    onProgress(callback: (s: TState) => void) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    serialize: async () => JSON.stringify({ kind: definition.kind, state }),
    submitted: async () => {},
    then: (onFulfilled?: never, onRejected?: never) => whenDone().then(onFulfilled, onRejected),
    catch: (onRejected?: never) => whenDone().catch(onRejected),
    finally: (onFinally?: never) => whenDone().finally(onFinally),
    [Symbol.toStringTag]: "CustomerKeyPoller",
  };
  return poller as unknown as CustomerKeyPoller<TState, TResult>;
}

function deserialize<TState>(kind: string, text: string): TState {
  let parsed: { kind?: string; state?: TState };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw new InvalidInputError("ERR_POLLER_STATE_INVALID", "The resumeFrom value is not a serialized poller state; pass what poller.serialize() returned.", { cause: error, field: "resumeFrom" });
  }
  if (parsed.kind !== kind || !parsed.state) {
    throw new InvalidInputError("ERR_POLLER_STATE_INVALID", `The resumeFrom value belongs to a '${parsed.kind ?? "unknown"}' operation, not '${kind}'.`, { field: "resumeFrom" });
  }
  return parsed.state;
}
