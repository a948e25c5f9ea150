/** Public types of `client.policies.exchange.beginAssign`. */
import type { OperationOptions } from "../../internal/operation.js";
import type { CustomerKeyPoller, PollerState } from "../../internal/poller.js";

/** The recipients of a bulk assignment: a list, an async iterable, or every mailbox without a DEP (read with paging through Get-Mailbox). */
export type BulkAssignMailboxes = readonly string[] | AsyncIterable<string> | { allWithoutPolicy: true };

/** A recipient that failed for good (not retried further in this run). */
export interface BulkAssignFailure {
  /** The recipient as given. */
  mailbox: string;
  /** The error's code, e.g. `ERR_EXCHANGE_OBJECT_NOT_FOUND`. */
  code: string;
  /** What the service said. */
  message: string;
}

/** Progress of a bulk assignment. */
export interface BulkAssignProgress {
  /** Recipients that have the policy now (assigned in this run, or already per the checkpoint or the service). */
  done: number;
  /** Recipients that failed for good in this run. */
  failed: number;
  /** Recipients not handled yet; undefined while an async iterable is still being read. */
  remaining: number | undefined;
  /** Assignments per second sent successfully in this run, averaged since the first request. */
  rate: number;
  /** Of `done`, those skipped without a request (in the checkpoint, or already assigned per the service). */
  skipped: number;
  /** 429 answers seen; each slowed the sending down. */
  throttled: number;
  /** Set-Mailbox/Set-MailUser requests sent in this run (including throttled ones). */
  requests: number;
}

/** The outcome of a bulk assignment. */
export interface BulkAssignResult extends BulkAssignProgress {
  /** Every recipient that failed for good, with its error. */
  failures: BulkAssignFailure[];
  /** Wall-clock milliseconds of the run. */
  elapsedMs: number;
}

/** The state of a bulk-assignment poller. */
export interface BulkAssignState extends PollerState<BulkAssignResult> {
  /** Progress so far. */
  progress: BulkAssignProgress;
}

/** The poller `beginAssign` returns; `await` it for the result. */
export type BulkAssignPoller = CustomerKeyPoller<BulkAssignState, BulkAssignResult>;

/** Options of `beginAssign`. */
export interface BulkAssignOptions extends OperationOptions {
  /** Requests in flight at most; default 32, 1 to 64. A cap only: the pace (requests per second) adapts to the service's throttle, so in flight is about rate × latency. */
  concurrency?: number;
  /**
   * A checkpoint file (JSON, written atomically): recipients that got the policy are recorded, and a
   * later run with the same file sends nothing for them. Default none (no resume across processes).
   */
  checkpoint?: string;
  /** Called with the progress after each recipient handled (at most every 250 ms) and at the end. */
  onProgress?: (progress: BulkAssignProgress) => void;
  /**
   * Read the service's current assignments once (paged Get-Mailbox and Get-MailUser) and skip the
   * recipients that already have the policy. Default: true when the checkpoint shows an unfinished run
   * (a crash can lose the record of the last assignments in flight), false otherwise. When read, each
   * audit line's `before` names the policy the recipient had (`{ dataEncryptionPolicy }`).
   */
  readCurrentState?: boolean;
  /** Requests per second to start with; default 20 (it grows by 10 % per success until the service throttles). */
  initialRequestsPerSecond?: number;
  /** Never more requests per second than this; default 1000. */
  maxRequestsPerSecond?: number;
  /** Attempts per recipient on transient failures other than throttling (503, timeouts); default 5. */
  maxAttempts?: number;
}
