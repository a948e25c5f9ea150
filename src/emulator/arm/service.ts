import type { ServiceDefinition } from "../core.js";
import { Router, type Route } from "../router.js";
import type { ServiceFactory } from "../services.js";
import { accessPolicyRoutes } from "./accessPolicies.js";
import { operationRoutes, settle } from "./async.js";
import { deletedVaultRoutes } from "./deletedVaults.js";
import { armErrors } from "./errors.js";
import { featureRoutes } from "./features.js";
import { providerRoutes } from "./providers.js";
import { resourceGroupRoutes } from "./resourceGroups.js";
import { authorizationRoutes } from "./roleAssignments.js";
import { subscriptionRoutes } from "./subscriptions.js";
import { vaultRoutes } from "./vaults.js";

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
