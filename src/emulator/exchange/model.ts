/** Exchange Online state of the emulator: plain JSON, kept in the state file under `exchange`. */

/** A data encryption policy: a mailbox DEP or a multi-workload (M365 data-at-rest) DEP. */
export interface DataEncryptionPolicyRecord {
  /** The policy's GUID (lower case); also its `ExchangeObjectId`. */
  guid: string;
  /** Name as created (spaces allowed, as the service evidently accepts them). */
  name: string;
  /** Free text; empty by default. */
  description: string;
  /** A disabled policy cannot be assigned. */
  enabled: boolean;
  /** The two key URIs as the admin gave them (versioned or not). */
  azureKeyIds: string[];
  /**
   * The DEP key sealed by the envelope core under both customer keys (as the workload's service
   * principal) and the availability key: base64 of the envelope. The body is the DEP key's proof
   * of possession; the data key is the DEP key.
   */
  envelope: string;
  /** The availability key, Microsoft's A256KW key for this policy (base64url `k`); redacted in snapshots. */
  availabilityKey: string;
  /** `PendingActivation` until first assigned, then `Active`; `PendingDeletion` after a purge request (inferred values). */
  state: "PendingActivation" | "Active" | "PendingDeletion";
  /** Set by `-PermanentDataPurgeRequested`. */
  purge?: { reason: string; contact: string; requestedAt: string };
  /** ISO times. */
  whenCreated: string;
  /** ISO time of the last change. */
  whenChanged: string;
}

/** An encryption of a mailbox: its content sealed under its mailbox key, the mailbox key wrapped by the DEP key. */
export interface MailboxEncryptionRecord {
  /** GUID of the DEP, or `null` for Microsoft-managed encryption. */
  policy: string | null;
  /** Base64 envelope of the mailbox's sample content; its data key is the mailbox key, wrapped by the DEP key. */
  sealed?: string;
}

/** What changed on a seeded mailbox (untouched mailboxes have no record). */
export interface MailboxRecord {
  /** The encryption in force. */
  current?: MailboxEncryptionRecord;
  /** A move to another DEP that completes at `dueMs` (emulator clock). */
  pending?: MailboxEncryptionRecord & { dueMs: number };
}

/** Exchange Online state of the emulated tenant. */
export interface ExchangeState {
  /** Seeded mailboxes `user000001`…; their ids derive from the tenant id and the number. */
  mailboxCount: number;
  /** Seeded mail users `mailuser000001`…. */
  mailUserCount: number;
  /** Mailboxes that were changed, keyed by number. */
  mailboxes: Record<string, MailboxRecord>;
  /** Mail users' assigned DEP GUIDs, keyed by number. */
  mailUsers: Record<string, { policy: string | null }>;
  /** Mailbox DEPs by GUID. */
  policies: Record<string, DataEncryptionPolicyRecord>;
  /** Multi-workload DEPs by GUID. */
  m365Policies: Record<string, DataEncryptionPolicyRecord>;
  /** GUID of the multi-workload DEP assigned to the tenant. */
  m365Assignment?: string;
  /** The longest a mailbox move takes, emulator-clock milliseconds (72 h by default). */
  moveDurationMs: number;
  /** When the seeded objects were created (ISO). */
  createdAt: string;
  /** Whether the mailboxes were seeded (start options apply only then). */
  seeded: boolean;
}

export const EXCHANGE_STATE_KEY = "exchange";
export const DEFAULT_MOVE_MS = 72 * 3600 * 1000;
export const MAX_SEEDED_MAILBOXES = 100_000;

export function emptyExchangeState(): ExchangeState {
  return {
    mailboxCount: 0,
    mailUserCount: 0,
    mailboxes: {},
    mailUsers: {},
    policies: {},
    m365Policies: {},
    moveDurationMs: DEFAULT_MOVE_MS,
    createdAt: new Date().toISOString(),
    seeded: false,
  };
}

export const exchangeState = (core: { serviceState<S>(key: string): S }): ExchangeState => core.serviceState<ExchangeState>(EXCHANGE_STATE_KEY);
