import type { JsonWebKey } from "node:crypto";
import type { RegisteredService } from "./core.js";
import type { PersistedState } from "./state.js";

const REDACTED = "[redacted]";

/** The public half of an RSA JWK; services use it to redact their own private keys. */
export const publicHalf = (jwk: JsonWebKey): JsonWebKey => ({ kty: jwk.kty, n: jwk.n, e: jwk.e });

/** What services put in place of a secret in a snapshot. */
export const REDACTED_TEXT = REDACTED;

/**
 * A deep copy of the state for tests and diagnostics, without its secrets: passwords, client
 * secrets, private keys, and whatever each service's `redact` removes. Only the state file keeps those.
 */
export function redactedSnapshot(state: PersistedState, services: Iterable<RegisteredService>): PersistedState {
  const copy = structuredClone(state);
  for (const user of copy.directory.users) user.password = REDACTED;
  for (const sp of copy.directory.servicePrincipals) sp.secrets = sp.secrets.map(() => REDACTED);
  copy.signingKey = { kid: copy.signingKey.kid, privateJwk: publicHalf(copy.signingKey.privateJwk) };
  copy.certificates = { ...copy.certificates, caKey: REDACTED, leafKey: REDACTED };
  for (const { definition } of services) {
    const part = definition.state;
    if (part?.redact && copy[part.key] !== undefined) part.redact(copy[part.key]);
  }
  return copy;
}
