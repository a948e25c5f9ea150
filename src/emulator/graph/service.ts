import type { ServiceDefinition } from "../core.js";
import { Router } from "../router.js";
import type { ServiceFactory } from "../services.js";

/** Placeholder: the graph routes are being written. */
export const graphService: ServiceFactory = (_core, audiences): ServiceDefinition => ({
  name: "graph",
  router: new Router("graph", []),
  audiences: audiences.graph,
});
