/** Public types of `client.beginRollRootKey`: a root key rolled and every Microsoft 365 workload moved onto the new version. */
import type { OperationOptions } from "../internal/operation.js";
import type { PollerState } from "../internal/poller.js";

/** Options of `client.beginRollRootKey`. */
export interface RollRootKeyEverywhereOptions extends OperationOptions {
  /** Where the backup of the new version goes (`manifest.json` there is updated atomically). Required. */
  backupDirectory: string;
  /** Called with the state after each poll (the same as `poller.onProgress`). */
  onProgress?: (state: KeyRollOperationState) => void;
  /** `poller.serialize()` of an earlier run: resumes it (a resumed roll never makes a second key version). */
  resumeFrom?: string;
  /** Time between polls, in milliseconds; default the client's `pollIntervalInMs`. SharePoint's roll takes hours, Exchange's up to 72 h. */
  updateIntervalInMs?: number;
}

/**
 * The steps of a key roll, in order: `rollKey` (a new version), `backup` (of the new version),
 * `discover` (the policies using the key), `update` (refresh each Exchange and multi-workload DEP,
 * roll the SharePoint policy of each geo, one at a time), `awaitWorkloads` (until each reports the
 * new version), `verify` (a final read), `done`.
 */
export type KeyRollStep = "rollKey" | "backup" | "discover" | "update" | "awaitWorkloads" | "verify" | "done";

/** A Microsoft 365 workload whose policy uses the rolled key. */
export type KeyRollWorkload = "exchange" | "multiWorkload" | "sharePoint";

/**
 * Where one policy stands: `pending` (nothing sent yet), `waiting` (SharePoint is busy with another
 * operation; the roll waits for it), `updating` (refresh or SharePoint roll sent, not finished),
 * `updated` (the service accepted it), `confirmed` (the workload reports the change).
 */
export type KeyRollPolicyStatus = "pending" | "waiting" | "updating" | "updated" | "confirmed";

/** One policy that uses the rolled key. */
export interface KeyRollPolicyState {
  /** `exchange` (a mailbox DEP), `multiWorkload` (an M365 data-at-rest DEP) or `sharePoint`. */
  workload: KeyRollWorkload;
  /** The DEP's name; for SharePoint the geo's data location code (`""` for a single-geo tenant). */
  policy: string;
  /** For SharePoint: which of its keys is the rolled one. */
  keyType?: "primary" | "secondary";
  /** Where it stands. */
  status: KeyRollPolicyStatus;
  /** SharePoint: the roll's progress in percent (0–100) as last read. */
  progressPercent?: number;
  /** The key URI the workload reports for the rolled key, when it reports one (SharePoint does; Exchange does not). */
  reportedKeyUri?: string;
  /** Exchange and multi-workload: `WhenChanged` of the DEP before the refresh (ISO 8601), to see the refresh land. */
  changedBefore?: string;
  /** Exchange and multi-workload: `WhenChanged` after the refresh (ISO 8601). */
  changedAfter?: string;
  /** SharePoint: the serialized state of its roll poller, so a resumed key roll resumes it without sending again. */
  sharePointOperation?: string;
}

/** The serialisable state of a key roll. */
export interface KeyRollOperationState extends PollerState<KeyRollResult> {
  /** The rolled key, versionless (`https://{vault}.vault.azure.net/keys/{name}`). */
  keyId: string;
  /** The step reached. */
  step: KeyRollStep;
  /** The version current before the roll (kept enabled, never deleted). */
  previousVersion?: string;
  /** The version the roll made, recorded as soon as it exists so a resumed roll never makes another. */
  newVersion?: string;
  /** The backup file of the new version, once written. */
  backupFile?: string;
  /** Every policy that uses the key, once discovered. */
  policies: KeyRollPolicyState[];
  /** When the state last changed (ISO 8601). */
  updatedAt: string;
}

/** What a finished key roll did. */
export interface KeyRollResult {
  /** Versioned id of the version current before the roll (still enabled). */
  previousKeyUri: string;
  /** Versioned id of the new current version. */
  newKeyUri: string;
  /** Full path of the backup file holding the new version. */
  backupFile: string;
  /** Every policy moved onto the new version, each `confirmed`. */
  policies: KeyRollPolicyState[];
}
