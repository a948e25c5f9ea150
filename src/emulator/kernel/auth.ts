import type { AccessTokenClaims } from "./tokens.js";
import { TokenRejected, verifyToken } from "./tokens.js";
import { ServiceError, type EmulatorRequest } from "./http.js";
import type { EmulatorCore } from "./core.js";

/** The authenticated principal of a request. */
export interface Caller {
  /** Object id of the user or service principal; `anonymous` on unauthenticated routes. */
  objectId: string;
  /** The application (client) id the token was issued to. */
  appId: string;
  kind: "user" | "servicePrincipal" | "anonymous";
  upn?: string;
  tenantId: string;
  /** Object ids of groups the caller belongs to, for policies and role assignments on groups. */
  groupIds: string[];
  claims?: AccessTokenClaims;
}

export const anonymousCaller = (tenantId: string): Caller => ({
  objectId: "anonymous",
  appId: "",
  kind: "anonymous",
  tenantId,
  groupIds: [],
});

/** The bearer token of a request, or undefined when there is none. */
export function bearerToken(req: EmulatorRequest): string | undefined {
  const header = req.header("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * Verifies the token and its audience. `audiences` are resource URIs without `/.default`
 * (a trailing slash is ignored). Throws a 401 ServiceError the service turns into its own body.
 */
export function authenticate(core: EmulatorCore, req: EmulatorRequest, audiences: readonly string[], code = "InvalidAuthenticationToken"): Caller {
  const token = bearerToken(req);
  if (!token) throw new ServiceError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  let claims: AccessTokenClaims;
  try {
    claims = verifyToken(core.state.signingKey, token);
  } catch (error) {
    const message = error instanceof TokenRejected ? error.message : "The access token is invalid.";
    throw new ServiceError(401, code, message);
  }
  const normalise = (a: string) => a.replace(/\/+$/, "").toLowerCase();
  if (!audiences.map(normalise).includes(normalise(claims.aud))) {
    throw new ServiceError(401, code, `The access token has an invalid audience '${claims.aud}'.`);
  }
  if (claims.tid !== core.directory.tenantId) {
    throw new ServiceError(401, code, "The access token is from a different tenant.");
  }
  const principal = core.directory.findPrincipal(claims.oid);
  if (!principal || !principal.record.accountEnabled) {
    throw new ServiceError(401, code, "The principal of the access token no longer exists or is disabled.");
  }
  return {
    objectId: claims.oid,
    appId: claims.appid,
    kind: principal.kind,
    ...(claims.upn ? { upn: claims.upn } : {}),
    tenantId: claims.tid,
    groupIds: core.directory.groupsOf(claims.oid),
    claims,
  };
}
