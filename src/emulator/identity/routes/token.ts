import { randomUUID } from "node:crypto";
import type { Principal } from "../../kernel/directory.js";
import type { Reply } from "../../kernel/http.js";
import type { RouteContext } from "../../kernel/router.js";
import { signToken } from "../../kernel/tokens.js";
import { AadError } from "../errors.js";
import { tenantOf } from "./openid.js";

/** The resource a token is for: the `…/.default` scope of the request, without that suffix. */
function resourceOf(scope: string | null): string {
  const resourceScope = (scope ?? "").split(/\s+/).find((s) => s.endsWith("/.default"));
  if (!resourceScope) {
    throw new AadError(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
  }
  return resourceScope.slice(0, -"/.default".length);
}

/** `/{tenant}/oauth2/v2.0/token`: client credentials and the username/password grant. */
export async function token(ctx: RouteContext): Promise<Reply> {
  const tenantId = tenantOf(ctx);
  const form = await ctx.req.form();
  const grant = form.get("grant_type");
  const clientId = (form.get("client_id") ?? "").toLowerCase();
  const resource = resourceOf(form.get("scope"));
  let principal: Principal;
  if (grant === "client_credentials") {
    const sp = ctx.core.directory.findServicePrincipal(clientId);
    if (!sp || sp.appId !== clientId) {
      throw new AadError(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
    }
    const secret = form.get("client_secret");
    if (!secret || !sp.secrets.includes(secret)) {
      throw new AadError(401, "invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    if (!sp.accountEnabled) throw new AadError(400, "unauthorized_client", 7000112, `Application '${clientId}' is disabled.`);
    principal = { kind: "servicePrincipal", record: sp };
  } else if (grant === "password") {
    const user = ctx.core.directory.findUser(form.get("username") ?? "");
    if (!user || user.password !== form.get("password")) {
      throw new AadError(400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.");
    }
    if (!user.accountEnabled) throw new AadError(400, "invalid_grant", 50057, "The user account is disabled.");
    principal = { kind: "user", record: user };
  } else {
    throw new AadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant ?? ""}'.`);
  }
  const issued = ctx.core.issueToken(principal, resource, clientId);
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: `${resource}/.default`,
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.token,
  };
  if (principal.kind === "user") {
    // MSAL builds the account from client_info and the id token of a user flow.
    const oid = principal.record.objectId;
    body["client_info"] = Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    body["id_token"] = signToken(ctx.core.state.signingKey, {
      aud: clientId, iss: `${ctx.core.endpoints.authorityHost}/${tenantId}/v2.0`, tid: tenantId, oid, sub: oid,
      appid: clientId, idtyp: "user", upn: principal.record.userPrincipalName, name: principal.record.displayName,
      iat: now, nbf: now, exp: now + issued.expiresIn, ver: "2.0", uti: randomUUID(),
    });
  }
  return { status: 200, body };
}

