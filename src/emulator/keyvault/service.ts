import type { ServiceDefinition } from "../core.js";
import { Router } from "../router.js";
import type { ServiceFactory } from "../services.js";

/** Placeholder: the keyvault routes are being written. */
export const keyVaultService: ServiceFactory = (_core, audiences): ServiceDefinition => ({
  name: "keyvault",
  router: new Router("keyvault", []),
  audiences: audiences.keyvault,
});
