import type { Recovery } from "./vault-lookup.js";
import type { DeletedKeyRecord, KeyRecord, KeyVersionRecord, RotationPolicyRecord } from "./model.js";

/**
 * Model → wire JSON of the keys API (KeyBundle, KeyItem, DeletedKeyBundle, …). The one place
 * that decides what leaves the emulator: private JWK fields are never copied out.
 */

/** `{origin}/keys/{name}[/{version}]`; the origin carries the port so CryptographyClient routes back. */
export function kidOf(origin: string, name: string, version?: string): string {
  return `${origin}/keys/${name}${version ? `/${version}` : ""}`;
}

export function recoveryIdOf(origin: string, name: string): string {
  return `${origin}/deletedkeys/${name}`;
}

export function latest(record: KeyRecord): KeyVersionRecord {
  return record.versions[record.versions.length - 1]!;
}

function attributes(version: KeyVersionRecord, recovery: Recovery): Record<string, unknown> {
  const a = version.attributes;
  return {
    enabled: a.enabled,
    ...(a.nbf !== undefined ? { nbf: a.nbf } : {}),
    ...(a.exp !== undefined ? { exp: a.exp } : {}),
    created: a.created,
    updated: a.updated,
    recoveryLevel: recovery.level,
    recoverableDays: recovery.days,
    exportable: a.exportable,
  };
}

const tagsOf = (version: KeyVersionRecord) => (version.tags && Object.keys(version.tags).length > 0 ? { tags: version.tags } : {});

/** The public JSON Web Key: kid, kty, key_ops and the public parts (RSA n, e; EC crv, x, y; none of a symmetric key). */
export function publicKeyJson(origin: string, name: string, version: KeyVersionRecord): Record<string, unknown> {
  const jwk = version.privateJwk;
  const base = { kid: kidOf(origin, name, version.version), kty: version.kty, key_ops: version.keyOps };
  if (version.kty.startsWith("EC")) return { ...base, crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (version.kty.startsWith("oct")) return base;
  return { ...base, n: jwk.n, e: jwk.e };
}

export function keyBundle(origin: string, recovery: Recovery, record: KeyRecord, version = latest(record)): Record<string, unknown> {
  return { key: publicKeyJson(origin, record.name, version), attributes: attributes(version, recovery), ...tagsOf(version) };
}

/** A list entry: in `GET /keys` the kid has no version, in `GET /keys/{name}/versions` it has. */
export function keyItem(origin: string, recovery: Recovery, record: KeyRecord, version: KeyVersionRecord, versioned: boolean): Record<string, unknown> {
  return { kid: kidOf(origin, record.name, versioned ? version.version : undefined), attributes: attributes(version, recovery), ...tagsOf(version) };
}

function deletion(origin: string, recovery: Recovery, deleted: DeletedKeyRecord): Record<string, unknown> {
  if (!recovery.softDelete) return {};
  return { recoveryId: recoveryIdOf(origin, deleted.key.name), deletedDate: deleted.deletedDate, scheduledPurgeDate: deleted.scheduledPurgeDate };
}

export function deletedKeyBundle(origin: string, recovery: Recovery, deleted: DeletedKeyRecord): Record<string, unknown> {
  return { ...deletion(origin, recovery, deleted), ...keyBundle(origin, recovery, deleted.key) };
}

export function deletedKeyItem(origin: string, recovery: Recovery, deleted: DeletedKeyRecord): Record<string, unknown> {
  return { ...deletion(origin, recovery, deleted), ...keyItem(origin, recovery, deleted.key, latest(deleted.key), false) };
}

/** The policy a key has before anyone sets one: notify 30 days before expiry. */
export const DEFAULT_LIFETIME_ACTIONS = [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }];

export function rotationPolicyJson(origin: string, name: string, policy: RotationPolicyRecord | undefined): Record<string, unknown> {
  const id = `${origin}/keys/${name}/rotationpolicy`;
  if (!policy) return { id, lifetimeActions: DEFAULT_LIFETIME_ACTIONS, attributes: {} };
  return {
    id,
    lifetimeActions: policy.lifetimeActions,
    attributes: { ...(policy.expiryTime ? { expiryTime: policy.expiryTime } : {}), created: policy.created, updated: policy.updated },
  };
}
