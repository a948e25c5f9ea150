import type { Reply } from "../../kernel/http.js";
import type { RouteContext } from "../../kernel/router.js";
import { publicJwk } from "../../kernel/tokens.js";
import { AadError } from "../errors.js";

/** The tenant id a path's `{tenant}` names (id, default domain, `organizations` or `common`). */
export function tenantOf(ctx: RouteContext): string {
  const tenant = ctx.params["tenant"]!.toLowerCase();
  const { tenantId, defaultDomain } = ctx.core.directory;
  if (tenant === tenantId || tenant === defaultDomain || tenant === "organizations" || tenant === "common") return tenantId;
  throw new AadError(400, "invalid_request", 90002, `Tenant '${ctx.params["tenant"]}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
}

/** `/{tenant}/v2.0/.well-known/openid-configuration`. */
export function openIdConfiguration(ctx: RouteContext): Reply {
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

/** `/{tenant}/discovery/v2.0/keys`: the public half of the token signing key. */
export function signingKeys(ctx: RouteContext): Reply {
  tenantOf(ctx);
  return { status: 200, body: { keys: [publicJwk(ctx.core.state.signingKey)] } };
}
