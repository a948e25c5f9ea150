import type { EmulatorCore, ServiceDefinition } from "./kernel/core.js";
import { armService } from "./arm/service.js";
import { keyVaultService } from "./keyvault/service.js";
import { graphService } from "./graph/service.js";

/** Every emulated service besides Entra ID. Each factory gets the core and the accepted audiences. */
export type ServiceFactory = (
  core: EmulatorCore,
  audiences: Record<"arm" | "keyvault" | "graph", string[]>,
) => ServiceDefinition;

export const serviceFactories: ServiceFactory[] = [armService, keyVaultService, graphService];
