import { randomUUID } from "node:crypto";
import { EMULATOR_HOSTS } from "../endpoints.js";
import type { EmulatorCore } from "../kernel/core.js";
import type { Route } from "../kernel/router.js";
import { defineService } from "../kernel/service-definition.js";
import { createSubscription } from "./admin-operations.js";
import { ARM_STATE_KEY, armState, emptyArmState } from "./model.js";
import { accessPolicyRoutes } from "./routes/access-policies.js";
import { operationRoutes, settle } from "./routes/async-operations.js";
import { deletedVaultRoutes } from "./routes/deleted-vaults.js";
import { ArmServiceError, armErrors } from "./errors.js";
import { errorBody, type ServiceError, type Reply } from "../kernel/http.js";
import { featureRoutes } from "./routes/features.js";
import { providerRoutes } from "./routes/providers.js";
import { resourceGroupRoutes } from "./routes/resource-groups.js";
import { authorizationRoutes } from "./routes/role-assignments.js";
import { subscriptionRoutes } from "./routes/subscriptions.js";
import { vaultRoutes } from "./routes/vaults.js";

/**
 * Every ARM request needs `api-version` (any value is accepted) and first lets the emulator
 * clock finish what is due (asynchronous operations, registrations).
 */
function armRoute(route: Route): Route {
  return {
    ...route,
    handler: (ctx) => {
      if (!ctx.req.query("api-version")) throw armErrors.missingApiVersion();
      settle(ctx.core);
      return route.handler(ctx);
    },
  };
}

/** ARM's `{error:{code,message,details}}`: the default shape plus `details` where an error carries them. */
function errorReply(error: ServiceError): Reply {
  const body = errorBody(error) as { error: Record<string, unknown> };
  if (error instanceof ArmServiceError) body.error["details"] = error.details.map((d) => ({ ...d }));
  return { status: error.status, body, ...(error.extra.headers ? { headers: error.extra.headers } : {}) };
}

/** A new emulator starts with two subscriptions owned by the seeded admin, as Customer Key needs. */
function seedSubscriptions(core: EmulatorCore): void {
  if (Object.keys(armState(core).subscriptions).length > 0) return;
  const owner = core.directory.users[0]!.objectId;
  // The seeded subscriptions are ready for Customer Key; subscriptions created later start strict.
  const registerProviders = ["Microsoft.KeyVault"];
  createSubscription(core, { displayName: "Customer Key Primary", ownerObjectId: owner, registerProviders });
  createSubscription(core, { displayName: "Customer Key Secondary", ownerObjectId: owner, registerProviders });
}

/** Azure Resource Manager: subscriptions, resource groups, providers, features, Key Vault vaults, RBAC. */
export const armService = defineService({
  name: "arm",
  hosts: [EMULATOR_HOSTS.management],
  localPaths: ["subscriptions", "providers"],
  audiences: (endpoints) => ["https://management.azure.com", "https://management.core.windows.net", endpoints.resourceManager],
  state: { key: ARM_STATE_KEY, empty: emptyArmState },
  // Specific routes first: the router takes the first match.
  routes: [
    ...operationRoutes,
    ...featureRoutes,
    ...deletedVaultRoutes,
    ...accessPolicyRoutes,
    ...vaultRoutes,
    ...authorizationRoutes,
    ...resourceGroupRoutes,
    ...providerRoutes,
    ...subscriptionRoutes,
  ].map(armRoute),
  seed: seedSubscriptions,
  errorReply,
  replyHeaders: (req) => ({ "x-ms-correlation-request-id": req.header("x-ms-correlation-request-id") ?? randomUUID() }),
});
