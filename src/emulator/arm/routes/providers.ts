import { json } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { authorize, requireSubscription } from "../request-context.js";
import { armErrors } from "../errors.js";
import type { SubscriptionRecord } from "../model.js";
import { AZURE_REGIONS } from "../regions.js";

/** Display names of the regions, as provider resource types list them ("West Europe"). */
const displayRegions = AZURE_REGIONS.slice(0, 12).map((r) =>
  r.replace(/(east|west|north|south|central)/g, " $1").replace(/^\s+/, "").replace(/\b\w/g, (c) => c.toUpperCase()).replace(/\s+/g, " ").trim(),
);

interface ProviderInfo {
  namespace: string;
  resourceTypes: { resourceType: string; apiVersions: string[]; global?: boolean }[];
}

/** The resource providers the emulator knows (ARM knows hundreds; these are the ones Customer Key touches). */
export const PROVIDER_CATALOG: readonly ProviderInfo[] = [
  {
    namespace: "Microsoft.KeyVault",
    resourceTypes: [
      { resourceType: "vaults", apiVersions: ["2026-02-01", "2025-05-01", "2024-11-01", "2023-07-01", "2022-07-01"] },
      { resourceType: "vaults/accessPolicies", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"] },
      { resourceType: "deletedVaults", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"], global: true },
      { resourceType: "locations/deletedVaults", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"] },
      { resourceType: "locations/operationResults", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"] },
      { resourceType: "checkNameAvailability", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"], global: true },
      { resourceType: "operations", apiVersions: ["2026-02-01", "2024-11-01", "2023-07-01"], global: true },
    ],
  },
  { namespace: "Microsoft.Resources", resourceTypes: [{ resourceType: "resourceGroups", apiVersions: ["2025-04-01", "2021-04-01"] }] },
  {
    namespace: "Microsoft.Authorization",
    resourceTypes: [
      { resourceType: "roleAssignments", apiVersions: ["2022-04-01", "2020-10-01-preview"], global: true },
      { resourceType: "roleDefinitions", apiVersions: ["2022-04-01"], global: true },
    ],
  },
  { namespace: "Microsoft.Features", resourceTypes: [{ resourceType: "features", apiVersions: ["2021-07-01"], global: true }] },
  { namespace: "Microsoft.Storage", resourceTypes: [{ resourceType: "storageAccounts", apiVersions: ["2024-01-01", "2023-05-01"] }] },
  { namespace: "Microsoft.Compute", resourceTypes: [{ resourceType: "virtualMachines", apiVersions: ["2024-07-01"] }] },
];

export function findProvider(namespace: string): ProviderInfo | undefined {
  return PROVIDER_CATALOG.find((p) => p.namespace.toLowerCase() === namespace.toLowerCase());
}

/** The registration state of a namespace on a subscription (`NotRegistered` when never touched). */
export function registrationState(subscription: SubscriptionRecord, namespace: string): string {
  const key = Object.keys(subscription.providers).find((k) => k.toLowerCase() === namespace.toLowerCase());
  return (key && subscription.providers[key]?.registrationState) || "NotRegistered";
}

function providerResource(subscription: SubscriptionRecord, info: ProviderInfo): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscription.subscriptionId}/providers/${info.namespace}`,
    namespace: info.namespace,
    registrationState: registrationState(subscription, info.namespace),
    registrationPolicy: "RegistrationRequired",
    resourceTypes: info.resourceTypes.map((t) => ({
      resourceType: t.resourceType,
      locations: t.global ? [] : displayRegions,
      apiVersions: t.apiVersions,
      capabilities: t.global ? "None" : "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation",
    })),
  };
}

function providerOf(ctx: RouteContext): { subscription: SubscriptionRecord; info: ProviderInfo } {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  const info = findProvider(ctx.params.namespace!);
  if (!info) throw armErrors.invalidNamespace(ctx.params.namespace!);
  return { subscription, info };
}

/** `Registering` now; `Registered` once the emulator clock passes the registration delay (see async.ts). */
function setState(ctx: RouteContext, register: boolean) {
  const { subscription, info } = providerOf(ctx);
  authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, `${info.namespace}/${register ? "register" : "unregister"}/action`);
  const current = registrationState(subscription, info.namespace);
  const settled = register ? current === "Registered" || current === "Registering" : current === "NotRegistered" || current === "Unregistering";
  if (!settled) {
    const key = Object.keys(subscription.providers).find((k) => k.toLowerCase() === info.namespace.toLowerCase()) ?? info.namespace;
    subscription.providers[key] = { registrationState: register ? "Registering" : "Unregistering", updatedAt: ctx.core.clock.now().toISOString() };
    ctx.core.changed();
  }
  return json(providerResource(subscription, info));
}

export const providerRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers",
    operation: "Providers_List",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Resources/subscriptions/providers/read");
      return json({ value: PROVIDER_CATALOG.map((p) => providerResource(subscription, p)) });
    },
  },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers/:namespace",
    operation: "Providers_Get",
    handler: (ctx) => {
      const { subscription, info } = providerOf(ctx);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Resources/subscriptions/providers/read");
      return json(providerResource(subscription, info));
    },
  },
  { method: "POST", path: "/subscriptions/:subscriptionId/providers/:namespace/register", operation: "Providers_Register", handler: (ctx) => setState(ctx, true) },
  { method: "POST", path: "/subscriptions/:subscriptionId/providers/:namespace/unregister", operation: "Providers_Unregister", handler: (ctx) => setState(ctx, false) },
];
