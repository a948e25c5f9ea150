import type { JsonWebKey } from "node:crypto";
import type { EmulatorState } from "./state.js";

const REDACTED = "[redacted]";

const publicHalf = (jwk: JsonWebKey): JsonWebKey => ({ kty: jwk.kty, n: jwk.n, e: jwk.e });

/**
 * A deep copy of the state for tests and diagnostics, without its secrets: passwords, client
 * secrets, private keys and the backup key. Only the state file keeps those.
 */
export function redactedSnapshot(state: EmulatorState): EmulatorState {
  const copy = structuredClone(state);
  for (const user of copy.directory.users) user.password = REDACTED;
  for (const sp of copy.directory.servicePrincipals) sp.secrets = sp.secrets.map(() => REDACTED);
  copy.signingKey = { kid: copy.signingKey.kid, privateJwk: publicHalf(copy.signingKey.privateJwk) };
  copy.certificates = { ...copy.certificates, caKey: REDACTED, leafKey: REDACTED };
  for (const vault of Object.values(copy.keyVault.vaults)) {
    const records = [...Object.values(vault.keys), ...Object.values(vault.deleted).map((d) => d.key)];
    for (const version of records.flatMap((r) => r.versions)) version.privateJwk = publicHalf(version.privateJwk);
  }
  if (copy.keyVault.backupKey) copy.keyVault.backupKey = REDACTED;
  return copy;
}
