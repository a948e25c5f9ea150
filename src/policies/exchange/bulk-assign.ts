/**
 * Bulk assignment of a mailbox DEP: recipients streamed from a list, an async iterable or a paged
 * Get-Mailbox read; sent through an adaptive rate limiter (internal/adaptive-rate.ts) that slows
 * down on every 429 and pauses for its Retry-After; each success recorded in the checkpoint file
 * before the run counts it done; failures that are not transient listed, not retried.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import { InvalidInputError, isCustomerKeyError } from "../../errors.js";
import { AdaptiveRateLimiter } from "../../internal/adaptive-rate.js";
import type { ClientContext } from "../../internal/context.js";
import { sleep } from "../../internal/abort.js";
import type { OperationOptions } from "../../internal/operation.js";
import { createPoller } from "../../internal/poller.js";
import { isTransient, retryAfterMs, statusOf } from "../../internal/service-errors.js";
import type { ExchangeTransport } from "../../transports/exchange-transport.js";
import { AssignCheckpoint } from "./assign-checkpoint.js";
import type { BulkAssignFailure, BulkAssignMailboxes, BulkAssignOptions, BulkAssignPoller, BulkAssignProgress, BulkAssignResult, BulkAssignState } from "./bulk-assign-types.js";

const OPERATION = "policies.exchange.beginAssign";
/** Recipients handled per poll step (one span and log line each). */
const STEP_SIZE = 250;

/** What the bulk run needs from the Exchange policies client. */
export interface BulkAssignDeps {
  context: ClientContext;
  /** The transport for the paged reads of current state (Get-Mailbox, Get-MailUser), with its own retries of 429. */
  readTransport: ExchangeTransport;
  /** Checks the policy exists and can be assigned; returns its name and GUID. */
  requirePolicy(policy: string, options: OperationOptions): Promise<{ name: string; id: string }>;
  /**
   * Assigns one recipient (Set-Mailbox, then Set-MailUser for a mail user). `previous` is the policy it
   * had per the read of current state (null: none), undefined when not read; the audit line's `before`.
   */
  assignOne(mailbox: string, policy: string, options: OperationOptions, previous?: string | null): Promise<unknown>;
}

/** Checks the input before any request. */
export function checkBulkAssignInput(mailboxes: BulkAssignMailboxes, policy: string, options: BulkAssignOptions): void {
  const isIterable = mailboxes !== null && typeof mailboxes === "object" && typeof (mailboxes as AsyncIterable<string>)[Symbol.asyncIterator] === "function";
  const isAll = mailboxes !== null && typeof mailboxes === "object" && (mailboxes as { allWithoutPolicy?: unknown }).allWithoutPolicy === true;
  if (Array.isArray(mailboxes)) {
    // No recipient identity holds a line break or another control character: one that does is someone's script.
    const bad = mailboxes.findIndex((m) => typeof m !== "string" || m.trim() === "" || /[\u0000-\u001f\u007f]/.test(m));
    if (bad >= 0) throw new InvalidInputError("ERR_MAILBOXES_INVALID", `mailboxes[${bad}] must be a non-empty identity (UPN, alias, GUID or SMTP address) without line breaks or control characters.`, { field: `mailboxes[${bad}]` });
  } else if (!isIterable && !isAll) {
    throw new InvalidInputError("ERR_MAILBOXES_INVALID", "mailboxes must be an array of identities, an async iterable of them, or { allWithoutPolicy: true }.", { field: "mailboxes" });
  }
  if (typeof policy !== "string" || policy.trim() === "") throw new InvalidInputError("ERR_POLICY_NAME_INVALID", "policy must name a data encryption policy.", { field: "policy" });
  const c = options.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= 64)) throw new InvalidInputError("ERR_MAILBOXES_INVALID", `concurrency must be a whole number from 1 to 64, got ${String(c)}.`, { field: "concurrency" });
  if (options.checkpoint !== undefined && (typeof options.checkpoint !== "string" || options.checkpoint === "")) {
    throw new InvalidInputError("ERR_CHECKPOINT_INVALID", "checkpoint must be a file path.", { field: "checkpoint" });
  }
}

/** Failures worth another attempt: transient statuses, and the typed forms of a lost connection or a busy server. */
const RETRYABLE_CODES = new Set(["ERR_SERVICE_UNREACHABLE", "ERR_SERVICE_UNAVAILABLE", "ERR_SERVICE_FAILED", "ERR_EXCHANGE_SERVER_BUSY"]);
const isRetryable = (error: unknown) => {
  if (isCustomerKeyError(error) && error.code === "ERR_EXCHANGE_SERVER_BUSY") return true;
  // A cmdlet that ran and threw (its exception class is known) answers the same the next time.
  if ((error as { exceptionClass?: unknown }).exceptionClass !== undefined) return false;
  return isTransient(error) || (isCustomerKeyError(error) && RETRYABLE_CODES.has(error.code));
};
const isThrottle = (error: unknown) => statusOf(error) === 429 || (isCustomerKeyError(error) && error.code === "ERR_SERVICE_THROTTLED");
const errorSummary = (error: unknown) => ({
  code: isCustomerKeyError(error) ? error.code : error instanceof Error ? error.name : "error",
  message: error instanceof Error ? error.message : String(error),
});

/** Reads every mailbox and mail user once (paged by the transport): identities → assigned policy name. */
async function readAssignments(transport: ExchangeTransport, options: OperationOptions): Promise<{ rows: Record<string, unknown>[]; policyOf: Map<string, string | null> }> {
  const policyOf = new Map<string, string | null>();
  const mailboxes = (await transport.invoke({ cmdlet: "Get-Mailbox" }, options)).value;
  const mailUsers = (await transport.invoke({ cmdlet: "Get-MailUser" }, options)).value;
  for (const row of [...mailboxes, ...mailUsers]) {
    const policy = typeof row["DataEncryptionPolicy"] === "string" ? (row["DataEncryptionPolicy"] as string) : null;
    for (const member of ["UserPrincipalName", "PrimarySmtpAddress", "Name", "Alias", "ExternalDirectoryObjectId", "Guid", "Identity"]) {
      const value = row[member];
      if (typeof value === "string" && value) policyOf.set(AssignCheckpoint.key(value), policy);
    }
  }
  return { rows: mailboxes, policyOf };
}

export function beginBulkAssign(deps: BulkAssignDeps, mailboxes: BulkAssignMailboxes, policy: string, options: BulkAssignOptions = {}): BulkAssignPoller {
  checkBulkAssignInput(mailboxes, policy, options);
  const { context } = deps;
  const concurrency = options.concurrency ?? 32;
  // Every request in flight and every paced wait listens to the caller's signal: more than Node's default 10.
  if (options.abortSignal) setMaxListeners(Math.max(getMaxListeners(options.abortSignal), concurrency * 3 + 10), options.abortSignal);
  const maxAttempts = options.maxAttempts ?? 5;
  const limiter = new AdaptiveRateLimiter({ initialRate: options.initialRequestsPerSecond ?? 20, maxRate: options.maxRequestsPerSecond ?? 1000 });
  const failures: BulkAssignFailure[] = [];
  const progress: BulkAssignProgress = { done: 0, failed: 0, remaining: undefined, rate: 0, skipped: 0, throttled: 0, requests: 0 };
  let source: AsyncIterator<string> | undefined;
  let total: number | undefined;
  let pulled = 0;
  let checkpoint: AssignCheckpoint | undefined;
  let policyName = policy;
  let alreadyAssigned = new Set<string>();
  // The policy each recipient had when read (only when the current state was read): the audit's `before`.
  let previousOf = new Map<string, string | null>();
  let started = 0;
  let firstSentAt: number | undefined;
  let sentOk = 0;
  let lastReport = 0;

  const report = (force = false) => {
    const now = performance.now();
    progress.rate = firstSentAt === undefined ? 0 : sentOk / Math.max(0.001, (now - firstSentAt) / 1000);
    progress.remaining = total === undefined ? undefined : Math.max(0, total - progress.done - progress.failed);
    progress.throttled = limiter.throttles;
    if (options.onProgress && (force || now - lastReport >= 250)) {
      lastReport = now;
      options.onProgress({ ...progress });
    }
  };

  const init = async (o: OperationOptions) => {
    started = performance.now();
    const found = await deps.requirePolicy(policy, o);
    policyName = found.name;
    checkpoint = await AssignCheckpoint.open(options.checkpoint, policyName);
    const isAll = !Array.isArray(mailboxes) && (mailboxes as { allWithoutPolicy?: boolean }).allWithoutPolicy === true;
    const readState = options.readCurrentState ?? checkpoint.resumedUnfinished;
    if (isAll || readState) {
      const { rows, policyOf } = await readAssignments(deps.readTransport, o);
      const wanted = new Set([found.name.toLowerCase(), found.id.toLowerCase()]);
      alreadyAssigned = new Set([...policyOf].filter(([, p]) => p !== null && wanted.has(p.toLowerCase())).map(([k]) => k));
      previousOf = policyOf;
      if (isAll) {
        const list = rows.filter((r) => r["DataEncryptionPolicy"] == null).map((r) => String(r["UserPrincipalName"] ?? r["Identity"]));
        total = list.length;
        source = list[Symbol.iterator]() as unknown as AsyncIterator<string>;
      }
    }
    if (!source) {
      if (Array.isArray(mailboxes)) {
        total = mailboxes.length;
        source = (mailboxes as string[])[Symbol.iterator]() as unknown as AsyncIterator<string>;
      } else {
        source = (mailboxes as AsyncIterable<string>)[Symbol.asyncIterator]();
      }
    }
  };

  /** One recipient to the end: sent (paced), retried while throttled or transiently failing, recorded. */
  const handle = async (mailbox: string, o: OperationOptions) => {
    const key = AssignCheckpoint.key(mailbox);
    if (checkpoint!.has(mailbox) || alreadyAssigned.has(key)) {
      if (!checkpoint!.has(mailbox)) checkpoint!.recordSuccess(mailbox);
      progress.done++;
      progress.skipped++;
      return;
    }
    for (let attempt = 1; ; ) {
      const sentAt = await limiter.acquire(o.abortSignal, OPERATION);
      firstSentAt ??= sentAt;
      progress.requests++;
      try {
        await deps.assignOne(mailbox, policyName, o, previousOf.get(key));
        limiter.onSuccess();
        sentOk++;
        checkpoint!.recordSuccess(mailbox);
        progress.done++;
        return;
      } catch (error) {
        if (o.abortSignal?.aborted) throw error;
        if (isThrottle(error)) {
          limiter.onThrottle(sentAt, retryAfterMs(error));
          continue; // a throttled request did not run: not an attempt
        }
        if (isRetryable(error) && attempt < maxAttempts) {
          attempt++;
          await sleep(Math.min(30_000, 500 * 2 ** attempt), o.abortSignal, OPERATION);
          continue;
        }
        const summary = errorSummary(error);
        failures.push({ mailbox, ...summary });
        checkpoint!.recordFailure(mailbox, summary);
        progress.failed++;
        return;
      }
    }
  };

  const step = async (state: BulkAssignState, o: OperationOptions): Promise<BulkAssignState> => {
    if (!checkpoint) await init(o);
    const chunk: string[] = [];
    let exhausted = false;
    while (chunk.length < STEP_SIZE) {
      const next = await source!.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      chunk.push(String(next.value));
      pulled++;
    }
    try {
      let index = 0;
      const worker = async () => {
        while (index < chunk.length) {
          const mailbox = chunk[index++]!;
          await handle(mailbox, o);
          report();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, chunk.length)) }, worker));
    } finally {
      await checkpoint!.flush();
    }
    if (!exhausted) {
      report(true);
      return { ...state, status: "running", progress: { ...progress } };
    }
    total ??= pulled;
    await checkpoint!.markFinished();
    report(true);
    const result: BulkAssignResult = { ...progress, failures: [...failures], elapsedMs: Math.round(performance.now() - started) };
    return { status: "succeeded", result, progress: { ...progress } };
  };

  return createPoller<BulkAssignState, BulkAssignResult>({
    kind: OPERATION,
    initialState: { status: "running", progress: { ...progress } },
    step,
    operation: { name: OPERATION, context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
    intervalInMs: 0,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
}
