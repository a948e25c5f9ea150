import type { ServiceDefinition } from "../core.js";
import { Router } from "../router.js";
import type { ServiceFactory } from "../services.js";

/** Placeholder: the arm routes are being written. */
export const armService: ServiceFactory = (_core, audiences): ServiceDefinition => ({
  name: "arm",
  router: new Router("arm", []),
  audiences: audiences.arm,
});
