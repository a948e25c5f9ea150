import type { ServiceDefinition } from "../kernel/core.js";
import { Router, type Route } from "../kernel/router.js";
import type { ServiceFactory } from "../registry.js";
import { accessPolicyRoutes } from "./routes/access-policies.js";
import { operationRoutes, settle } from "./routes/async-operations.js";
import { deletedVaultRoutes } from "./routes/deleted-vaults.js";
import { armErrors } from "./errors.js";
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

/** Azure Resource Manager: subscriptions, resource groups, providers, features, Key Vault vaults, RBAC. */
export const armService: ServiceFactory = (_core, audiences): ServiceDefinition => ({
  name: "arm",
  // Specific routes first: the router takes the first match.
  router: new Router(
    "arm",
    [
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
  ),
  audiences: audiences.arm,
});
