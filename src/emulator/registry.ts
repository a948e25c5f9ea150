import { armService } from "./arm/service.js";
import { graphService } from "./graph/service.js";
import { identityService } from "./identity/service.js";
import type { ArmState } from "./arm/model.js";
import type { KeyVaultState } from "./keyvault/model.js";
import { keyVaultService } from "./keyvault/service.js";
import type { ServiceDefinition } from "./kernel/service-definition.js";
import { exchangeService } from "./exchange/service.js";
import type { ExchangeState } from "./exchange/model.js";
// ── SharePoint Online (issue 12) ──
import type { SharePointState } from "./sharepoint/model.js";
import { sharePointService } from "./sharepoint/service.js";
// ── end SharePoint Online ──

/**
 * Every emulated service, in the one place that names them. Adding a service is a folder with a
 * `service.ts` and a line here; the kernel routes, authenticates and persists it from its definition.
 */
export const SERVICES: readonly ServiceDefinition[] = [
  identityService,
  armService,
  keyVaultService,
  graphService,
  exchangeService,
  // ── SharePoint Online (issue 12) ──
  sharePointService,
  // ── end SharePoint Online ──
];

/** The state the registered services keep, by their state keys: the service half of `EmulatorState`. */
export interface RegisteredServiceStates {
  /** Azure Resource Manager: subscriptions, resource groups, vaults, role assignments, operations. */
  arm: ArmState;
  /** Key Vault data plane: keys and deleted keys per vault, and the backup key. */
  keyVault: KeyVaultState;
  /** Exchange Online: seeded recipient counts, changed mailboxes, data encryption policies. */
  exchange: ExchangeState;
  // ── SharePoint Online (issue 12) ──
  /** SharePoint Online: geos, their sites and Customer Key state, and operation durations. */
  sharePoint: SharePointState;
  // ── end SharePoint Online ──
}
