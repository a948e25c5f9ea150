import { EMULATOR_HOSTS } from "../endpoints.js";
import { defineService } from "../kernel/service-definition.js";
import { aadErrorReply } from "./errors.js";
import { openIdConfiguration, signingKeys } from "./routes/openid.js";
import { token } from "./routes/token.js";

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
    { method: "GET", path: "/:tenant/discovery/v2.0/keys", operation: "Keys", anonymous: true, handler: signingKeys },
    { method: "POST", path: "/:tenant/oauth2/v2.0/token", operation: "Token", anonymous: true, readOnly: true, handler: token },
  ],
  errorReply: aadErrorReply,
});

