/** Waiting on shared work while still honouring one's own AbortSignal. */
import { EnvelopeAbortError } from "./errors.js";

export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new EnvelopeAbortError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EnvelopeAbortError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
