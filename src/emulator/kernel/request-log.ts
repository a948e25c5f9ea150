import type { RequestLog as PublicRequestLog } from "../public-types.js";
import type { ServiceName } from "./http.js";

/** One request as the emulator saw it. Never holds tokens, secrets, bodies or key bytes. */
export interface RequestLogEntry {
  /** Position in the log since the emulator started (never reused, survives trimming). */
  seq: number;
  /** Emulator-clock time of arrival, ISO 8601. */
  time: string;
  /** The service that answered, or `unknown` when no service claims the host. */
  service: ServiceName | "unknown";
  /** HTTP method, upper case. */
  method: string;
  /** Host name the client used, without port. */
  host: string;
  /** The path without the query string. */
  path: string;
  /** The operation name the route declares, e.g. `Vaults_CreateOrUpdate` or `WrapKey`. */
  operation?: string;
  /** The caller's object id (or app id), `anonymous` before authentication. */
  caller: string;
  /** HTTP status answered; 0 when a fault reset the connection or hung the request. */
  status: number;
  /**
   * Set when a fault struck after the service acted (a rule with `stage: "response"`): the status
   * the service answered with, which the client never received.
   */
  serviceStatus?: number;
  /** Time to answer, in wall-clock milliseconds. */
  durationMs: number;
  /** The request id the emulator answered with (`x-ms-request-id`, and `request-id` where the service sends it); absent when no answer was sent (a reset or a hang). */
  requestId?: string;
  /** Set when an injected fault (`fault#n`, `reset`, `hang`) or the throttle (`throttle`) answered instead of the service. */
  fault?: string;
}

const mutatingMethods = new Set(["PUT", "POST", "PATCH", "DELETE"]);

/** The emulator's request log; its public face is the `RequestLog` interface. */
export class RequestLog implements PublicRequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #limit: number;
  #total = 0;
  #inFlight = 0;
  #peakInFlight = 0;
  /** Sequence numbers of entries whose route declared itself read-only. */
  readonly #readOnly = new Set<number>();
  readonly #waiters = new Set<(entry: RequestLogEntry) => void>();

  constructor(limit = 50_000) {
    this.#limit = limit;
  }

  /** Adds an entry; `readOnly` marks a request whose route changes nothing (its service says so). */
  record(entry: Omit<RequestLogEntry, "seq">, options: { readOnly?: boolean } = {}): void {
    const seq = this.#total++;
    if (options.readOnly) this.#readOnly.add(seq);
    const recorded = { seq, ...entry };
    this.#entries.push(recorded);
    if (this.#entries.length > this.#limit) {
      for (const dropped of this.#entries.splice(0, this.#entries.length - this.#limit)) this.#readOnly.delete(dropped.seq);
    }
    for (const waiter of [...this.#waiters]) waiter(recorded);
  }

  /** The first entry recorded from now on that `predicate` accepts; rejects with the signal's reason on abort. */
  waitFor(predicate: (entry: RequestLogEntry) => boolean, options: { abortSignal?: AbortSignal } = {}): Promise<RequestLogEntry> {
    const { abortSignal } = options;
    return new Promise<RequestLogEntry>((resolve, reject) => {
      if (abortSignal?.aborted) {
        reject(abortSignal.reason);
        return;
      }
      const onAbort = () => {
        this.#waiters.delete(waiter);
        reject(abortSignal!.reason);
      };
      const settle = () => {
        this.#waiters.delete(waiter);
        abortSignal?.removeEventListener("abort", onAbort);
      };
      const waiter = (entry: RequestLogEntry) => {
        try {
          if (!predicate(entry)) return;
        } catch (error) {
          settle();
          reject(error);
          return;
        }
        settle();
        resolve({ ...entry });
      };
      this.#waiters.add(waiter);
      abortSignal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A copy of the entries, oldest first, optionally filtered. */
  list(filter?: Partial<Pick<RequestLogEntry, "service" | "method" | "operation" | "caller">>): RequestLogEntry[] {
    return this.#entries.filter(
      (e) =>
        !filter ||
        Object.entries(filter).every(([k, v]) => v === undefined || e[k as keyof RequestLogEntry] === v),
    );
  }

  /**
   * Requests that changed (or tried to change) state and were accepted by the service: a second,
   * idempotent run of a set-up should make none.
   */
  mutating(since = 0): RequestLogEntry[] {
    return this.#entries.filter(
        (e) =>
          e.seq >= since &&
          mutatingMethods.has(e.method) &&
          (e.serviceStatus ?? e.status) < 400 &&
          !this.#readOnly.has(e.seq),
      );
  }

  /** How many requests were seen so far: pass it to `mutating(since)` to look at what came after. */
  get size(): number {
    return this.#total;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#readOnly.clear();
  }

  /** Called by the server around every request but Entra's, so tests can bound concurrency. */
  enter(): void {
    this.#inFlight += 1;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
  }

  leave(): void {
    this.#inFlight -= 1;
  }

  /** Requests being served right now (Entra ID token requests excluded). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most requests served at once since the start or the last `resetPeak()`. */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  resetPeak(): void {
    this.#peakInFlight = this.#inFlight;
  }
}
