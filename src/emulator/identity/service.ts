import { randomUUID } from "node:crypto";
import { EMULATOR_HOSTS } from "../endpoints.js";
import type { EmulatorCore } from "../kernel/core.js";
import { ServiceError, type EmulatorRequest, type Reply } from "../kernel/http.js";
import type { RouteContext } from "../kernel/router.js";
import { defineService } from "../kernel/service-definition.js";
import { publicJwk, signToken } from "../kernel/tokens.js";
import type { Principal } from "../kernel/directory.js";

/**
 * Entra ID: OpenID metadata, signing keys and the token endpoint (client credentials and the
 * username/password grant). Errors use the AADSTS body shape of the real endpoint.
 */
class AadError extends ServiceError {
  constructor(status: number, error: string, readonly aadsts: number, description: string) {
    super(status, error, `AADSTS${aadsts}: ${description}`);
  }
}

function tenantOf(ctx: RouteContext): string {
  const tenant = ctx.params["tenant"]!.toLowerCase();
  const { tenantId, defaultDomain } = ctx.core.directory;
  if (tenant === tenantId || tenant === defaultDomain || tenant === "organizations" || tenant === "common") return tenantId;
  throw new AadError(400, "invalid_request", 90002, `Tenant '${ctx.params["tenant"]}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
}

function openIdConfiguration(ctx: RouteContext): Reply {
  const tenantId = tenantOf(ctx);
  const base = `${ctx.core.endpoints.authorityHost}/${tenantId}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${ctx.core.endpoints.authorityHost}/${tenantId}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.core.endpoints.graph}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: "EU",
      cloud_instance_name: "localhost",
      cloud_graph_host_name: "graph.localhost",
      msgraph_host: "graph.localhost",
    },
  };
}

/** The resource a token is for: the `…/.default` scope of the request, without that suffix. */
function resourceOf(scope: string | null): string {
  const resourceScope = (scope ?? "").split(/\s+/).find((s) => s.endsWith("/.default"));
  if (!resourceScope) {
    throw new AadError(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
  }
  return resourceScope.slice(0, -"/.default".length);
}

async function token(ctx: RouteContext): Promise<Reply> {
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

function aadErrorReply(error: ServiceError): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  const code = error instanceof AadError ? error.aadsts : 50000;
  return {
    status: error.status,
    body: {
      error: error.code,
      error_description: `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** Entra ID's token and metadata endpoints; its directory is the kernel's, every service reads it. */
export const identityService = defineService({
  name: "identity",
  hosts: [EMULATOR_HOSTS.login],
  // Tenant-first paths (`/{tenant}/oauth2/v2.0/token`) on plain localhost are Entra's.
  localPaths: ["*"],
  audiences: () => [],
  // Token requests are the client's own plumbing, not calls `requests.idle()` waits for.
  countsInFlight: false,
  routes: [
    { method: "GET", path: "/:tenant/v2.0/.well-known/openid-configuration", operation: "OpenIdConfiguration", anonymous: true, handler: openIdConfiguration },
    { method: "GET", path: "/:tenant/discovery/v2.0/keys", operation: "Keys", anonymous: true, handler: (ctx) => {
      tenantOf(ctx);
      return { status: 200, body: { keys: [publicJwk(ctx.core.state.signingKey)] } };
    } },
    { method: "POST", path: "/:tenant/oauth2/v2.0/token", operation: "Token", anonymous: true, handler: token },
  ],
  errorReply: aadErrorReply,
});

export type { EmulatorCore, EmulatorRequest };
