import type { JsonWebKey } from "node:crypto";

/** Key Vault data-plane state of the emulator: plain JSON, kept in the state file. */

/** Attributes of a key version. */
export interface KeyAttributesRecord {
  /** A disabled key refuses every operation but reads. */
  enabled: boolean;
  /** Unix seconds. */
  nbf?: number;
  /** Expiry, Unix seconds; none by default. */
  exp?: number;
  /** Creation time, Unix seconds. */
  created: number;
  /** Last change, Unix seconds. */
  updated: number;
  /** Whether the private key may be released (always false here). */
  exportable: boolean;
}

/** One version of a key. */
export interface KeyVersionRecord {
  /** 32 lower-case hex characters. */
  version: string;
  /** `RSA`, `RSA-HSM`, `EC`, `EC-HSM`, `oct` or `oct-HSM`. */
  kty: string;
  /** Permitted operations, e.g. `wrapKey`, `unwrapKey`. */
  keyOps: string[];
  /** The private key as a JWK; this file is the emulated HSM, never logged. */
  privateJwk: JsonWebKey;
  /** Enabled flag, validity and times. */
  attributes: KeyAttributesRecord;
  /** Tags, name to value. */
  tags?: Record<string, string>;
}

/** A lifetime action of a rotation policy, as the service echoes it. */
export interface LifetimeActionRecord {
  /** When it fires: ISO 8601 durations after creation or before expiry. */
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  /** What it does. */
  action: { type: "Rotate" | "Notify" };
}

/** A key rotation policy. */
export interface RotationPolicyRecord {
  /** Rotate and notify actions. */
  lifetimeActions: LifetimeActionRecord[];
  /** ISO 8601 duration applied as `exp` of versions made by rotation. */
  expiryTime?: string;
  /** Unix seconds. */
  created: number;
  /** Last change, Unix seconds. */
  updated: number;
}

/** A key and its versions. */
export interface KeyRecord {
  /** Name as created. */
  name: string;
  /** Oldest first; the last is the current version. */
  versions: KeyVersionRecord[];
  /** Rotation policy, when one was set. */
  rotationPolicy?: RotationPolicyRecord;
}

/** A soft-deleted key. */
export interface DeletedKeyRecord {
  /** The key as it was when deleted. */
  key: KeyRecord;
  /** Unix seconds. */
  deletedDate: number;
  /** When it is purged, Unix seconds. */
  scheduledPurgeDate: number;
}

/** A delete, recover or purge the service is still finishing on a key name. */
export interface PendingKeyOperationRecord {
  /** `deleting`, `recovering` or `purging`. */
  kind: "deleting" | "recovering" | "purging";
  /** Emulator-clock Unix milliseconds at which it is done. */
  until: number;
}

/** The keys of one vault. */
export interface VaultKeysState {
  /** Keyed by key name, lower case. */
  keys: Record<string, KeyRecord>;
  /** Soft-deleted keys, keyed by key name, lower case. */
  deleted: Record<string, DeletedKeyRecord>;
  /** Deletes, recovers and purges still in progress, keyed by key name, lower case; absent when none. */
  pending?: Record<string, PendingKeyOperationRecord>;
}

/** Key Vault data-plane state of the emulator: plain JSON, kept in the state file. */
export interface KeyVaultState {
  /** Keyed by vault name, lower case. Survives a soft-deleted vault; removed on purge. */
  vaults: Record<string, VaultKeysState>;
  /**
   * The emulator-wide key (base64, 32 bytes) that seals backup blobs, standing in for the
   * service's per-geography backup keys. Made on first backup; kept so blobs survive restarts.
   */
  backupKey?: string;
}

export function emptyKeyVaultState(): KeyVaultState {
  return { vaults: {} };
}

/** The key of Key Vault's state in the state file (the first layout's key, so older files load). */
export const KEY_VAULT_STATE_KEY = "keyVault";

/** Key Vault's live state in the emulator. */
export const keyVaultState = (core: { serviceState<S>(key: string): S }): KeyVaultState => core.serviceState<KeyVaultState>(KEY_VAULT_STATE_KEY);
