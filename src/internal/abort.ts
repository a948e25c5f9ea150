import { OperationAbortedError } from "../errors.js";

/** Throws the typed abort error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new OperationAbortedError(operation, { cause: signal.reason });
}

/** Waits, or rejects with OperationAbortedError as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, operation = "wait"): Promise<void> {
  throwIfAborted(signal, operation);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OperationAbortedError(operation, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
