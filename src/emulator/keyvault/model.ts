import type { JsonWebKey } from "node:crypto";

/** Key Vault data-plane state of the emulator: plain JSON, kept in the state file. */

export interface KeyAttributesRecord {
  enabled: boolean;
  /** Unix seconds. */
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  exportable: boolean;
}

export interface KeyVersionRecord {
  /** 32 lower-case hex characters. */
  version: string;
  /** `RSA` or `RSA-HSM` (`EC`/`oct` variants if ever needed). */
  kty: string;
  keyOps: string[];
  /** The private key as a JWK; this file is the emulated HSM, never logged. */
  privateJwk: JsonWebKey;
  attributes: KeyAttributesRecord;
  tags?: Record<string, string>;
}

/** A lifetime action of a rotation policy, as the service echoes it. */
export interface LifetimeActionRecord {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: "Rotate" | "Notify" };
}

export interface RotationPolicyRecord {
  lifetimeActions: LifetimeActionRecord[];
  /** ISO 8601 duration applied as `exp` of versions made by rotation. */
  expiryTime?: string;
  /** Unix seconds. */
  created: number;
  updated: number;
}

export interface KeyRecord {
  /** Name as created. */
  name: string;
  /** Oldest first; the last is the current version. */
  versions: KeyVersionRecord[];
  rotationPolicy?: RotationPolicyRecord;
}

export interface DeletedKeyRecord {
  key: KeyRecord;
  /** Unix seconds. */
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface VaultKeysState {
  /** Keyed by key name, lower case. */
  keys: Record<string, KeyRecord>;
  deleted: Record<string, DeletedKeyRecord>;
}

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
