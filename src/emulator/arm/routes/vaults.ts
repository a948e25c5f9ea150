import { json, ServiceError, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { operationUrl, startOperation } from "./async-operations.js";
import { actorOf, authorize, bodyObject, listFilter, page, parseTags, requireResourceGroup, requireSubscription } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type SubscriptionRecord, type VaultProperties, type VaultRecord } from "../model.js";
import { registrationState } from "./providers.js";
import { AZURE_REGIONS, normaliseRegion } from "../regions.js";
import { deleteVault, VAULT_TYPE, vaultId, vaultResource } from "../vault-records.js";
import { applyProtectionFlags, applySimpleSettings, isValidVaultName, parseAccessPolicies, parseSku, vaultErrors } from "../vault-rules.js";

export const vaultBase = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.KeyVault/vaults/:vaultName";

/** Resource-provider writes need the namespace registered on the subscription. */
export function requireKeyVaultRegistered(subscription: SubscriptionRecord): void {
  if (registrationState(subscription, "Microsoft.KeyVault") !== "Registered") throw armErrors.missingRegistration("Microsoft.KeyVault");
}

/** Subscription, authorization, resource group: ARM's order of checks for a vault request. */
export function vaultTarget(ctx: RouteContext, action: string): { subscription: SubscriptionRecord; resourceGroup: string; scope: string } {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  const resourceGroup = ctx.params.resourceGroupName!;
  const scope = vaultId({ subscriptionId: subscription.subscriptionId, resourceGroup, name: ctx.params.vaultName! });
  authorize(ctx, scope, action);
  const group = requireResourceGroup(ctx.core, subscription.subscriptionId, resourceGroup);
  return { subscription, resourceGroup: group.name, scope };
}

/** The vault of a request, or ARM's 404 ResourceNotFound when it is absent from this resource group. */
export function findVaultIn(ctx: RouteContext, subscriptionId: string, resourceGroup: string): VaultRecord | undefined {
  const vault = armState(ctx.core).vaults[ctx.params.vaultName!.toLowerCase()];
  return vault && vault.subscriptionId === subscriptionId && vault.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() ? vault : undefined;
}

export function requireVault(ctx: RouteContext, subscriptionId: string, resourceGroup: string): VaultRecord {
  const vault = findVaultIn(ctx, subscriptionId, resourceGroup);
  if (!vault) throw armErrors.resourceNotFound(VAULT_TYPE, ctx.params.vaultName!, ctx.params.resourceGroupName!);
  return vault;
}

function requireTenant(ctx: RouteContext, tenantId: unknown): string {
  if (typeof tenantId !== "string" || tenantId.toLowerCase() !== ctx.core.tenantId.toLowerCase()) {
    throw armErrors.badRequest(`An invalid value was provided for 'tenantId': '${String(tenantId)}'. The tenant must be the tenant of the subscription ('${ctx.core.tenantId}').`);
  }
  return ctx.core.tenantId;
}

function touch(ctx: RouteContext, vault: VaultRecord): void {
  const actor = actorOf(ctx.caller);
  vault.lastModifiedAt = ctx.core.clock.now().toISOString();
  vault.lastModifiedBy = actor.name;
  vault.lastModifiedByType = actor.type;
}

function properties(body: Record<string, unknown>): Record<string, unknown> {
  const props = body["properties"];
  if (typeof props !== "object" || props === null || Array.isArray(props)) throw armErrors.badRequest("The property 'properties' is required.");
  return props as Record<string, unknown>;
}

/** Starts the asynchronous DNS registration of a new (or recovered) vault: 201 + Azure-AsyncOperation. */
function createdReply(ctx: RouteContext, vault: VaultRecord): Reply {
  vault.properties.provisioningState = "RegisteringDns";
  const op = startOperation(ctx.core, "vaultCreate", vault.subscriptionId, vault.name, vaultId(vault));
  ctx.core.changed();
  return json(vaultResource(vault), 201, { "azure-asyncoperation": operationUrl(ctx.req.origin, op, vault.location) });
}

async function createOrUpdate(ctx: RouteContext): Promise<Reply> {
  const { core } = ctx;
  const { subscription, resourceGroup } = vaultTarget(ctx, "Microsoft.KeyVault/vaults/write");
  requireKeyVaultRegistered(subscription);
  const name = ctx.params.vaultName!;
  if (!isValidVaultName(name)) throw vaultErrors.nameNotValid(name);
  const body = await bodyObject(ctx.req);
  const location = typeof body["location"] === "string" ? normaliseRegion(body["location"]) : undefined;
  if (!location) {
    throw armErrors.badRequest(
      `The provided location '${String(body["location"] ?? "")}' is not available for resource type '${VAULT_TYPE}'. List of available regions for the resource type is '${AZURE_REGIONS.join(",")}'.`,
      "LocationNotAvailableForResourceType",
    );
  }
  const props = properties(body);
  const key = name.toLowerCase();
  const taken = armState(core).vaults[key];
  const existing = findVaultIn(ctx, subscription.subscriptionId, resourceGroup);
  if (taken && !existing) throw vaultErrors.alreadyExists(name);
  const deleted = armState(core).deletedVaults[key];
  const recover = typeof props["createMode"] === "string" && props["createMode"].toLowerCase() === "recover";
  if (!existing && deleted) {
    // Held by a soft-deleted vault: ConflictError where the caller's subscription holds it (it can
    // recover or purge it), VaultAlreadyExists where another subscription does (evidence §9).
    if (deleted.vault.subscriptionId !== subscription.subscriptionId) throw vaultErrors.alreadyExists(name);
    if (!recover) throw vaultErrors.deletedConflict();
    if (deleted.vault.location !== location) {
      throw armErrors.badRequest(`The vault '${deleted.vault.name}' was deleted in location '${deleted.vault.location}'; recover it there.`);
    }
    // Recovery restores the vault as it was (keys never left), in the resource group asked for.
    const vault: VaultRecord = { ...deleted.vault, resourceGroup };
    delete armState(core).deletedVaults[key];
    armState(core).vaults[key] = vault;
    touch(ctx, vault);
    return createdReply(ctx, vault);
  }
  if (!existing && recover) {
    throw new ServiceError(404, "ResourceNotFound", `The vault '${name}' was not found in a deleted state in subscription '${subscription.subscriptionId}', so it cannot be recovered.`);
  }
  const tenantId = requireTenant(ctx, props["tenantId"]);
  const sku = parseSku(props["sku"]);
  const previous = existing?.properties;
  const next: VaultProperties = {
    tenantId,
    sku,
    accessPolicies: parseAccessPolicies(props["accessPolicies"]),
    vaultUri: `${core.endpoints.vaultUrl(name)}/`,
    enabledForDeployment: false,
    enabledForDiskEncryption: false,
    enabledForTemplateDeployment: false,
    enableSoftDelete: previous?.enableSoftDelete ?? true,
    softDeleteRetentionInDays: previous?.softDeleteRetentionInDays ?? 90,
    ...(previous?.enablePurgeProtection ? { enablePurgeProtection: true } : {}),
    enableRbacAuthorization: false,
    provisioningState: "Succeeded",
    publicNetworkAccess: "Enabled",
  };
  applySimpleSettings(next, props);
  applyProtectionFlags(next, props, previous);
  const tags = parseTags(body["tags"]);
  if (existing) {
    existing.properties = next;
    existing.tags = tags;
    touch(ctx, existing);
    core.changed();
    return json(vaultResource(existing), 200);
  }
  const actor = actorOf(ctx.caller);
  const now = core.clock.now().toISOString();
  const vault: VaultRecord = {
    name, subscriptionId: subscription.subscriptionId, resourceGroup, location, tags, properties: next,
    createdAt: now, createdBy: actor.name, createdByType: actor.type,
    lastModifiedAt: now, lastModifiedBy: actor.name, lastModifiedByType: actor.type,
  };
  armState(core).vaults[key] = vault;
  return createdReply(ctx, vault);
}


/** PATCH: merges the given properties; `accessPolicies` and `tags`, when given, replace. */
async function update(ctx: RouteContext): Promise<Reply> {
  const { subscription, resourceGroup } = vaultTarget(ctx, "Microsoft.KeyVault/vaults/write");
  requireKeyVaultRegistered(subscription);
  const vault = requireVault(ctx, subscription.subscriptionId, resourceGroup);
  const body = await bodyObject(ctx.req);
  const props = (body["properties"] ?? {}) as Record<string, unknown>;
  const next = structuredClone(vault.properties);
  if (props["tenantId"] !== undefined) requireTenant(ctx, props["tenantId"]);
  if (props["sku"] !== undefined) next.sku = parseSku(props["sku"]);
  if (props["accessPolicies"] !== undefined && props["accessPolicies"] !== null) next.accessPolicies = parseAccessPolicies(props["accessPolicies"]);
  applySimpleSettings(next, props);
  applyProtectionFlags(next, props, vault.properties);
  vault.properties = next;
  if (body["tags"] !== undefined) vault.tags = parseTags(body["tags"]);
  touch(ctx, vault);
  ctx.core.changed();
  return json(vaultResource(vault));
}

/** Generic `resources` listing, filtered by `resourceType eq '…'` (the only resources here are vaults). */
function genericList(ctx: RouteContext, resourceGroup?: string): Reply {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  if (resourceGroup) {
    authorize(ctx, `/subscriptions/${subscription.subscriptionId}/resourceGroups/${resourceGroup}`, "Microsoft.Resources/subscriptions/resourceGroups/resources/read");
    requireResourceGroup(ctx.core, subscription.subscriptionId, resourceGroup);
  }
  const visible = resourceGroup ? () => true : listFilter(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Resources/subscriptions/resources/read");
  const filter = ctx.req.query("$filter") ?? "";
  const type = /resourceType\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  const vaults = listVaults(ctx, subscription.subscriptionId, resourceGroup).filter((v) => visible(vaultId(v)));
  const items = type && type.toLowerCase() !== VAULT_TYPE.toLowerCase() ? [] : vaults;
  return json(page(ctx.req, items.map((v) => ({ id: vaultId(v), name: v.name, type: VAULT_TYPE, location: v.location, tags: v.tags }))));
}

function listVaults(ctx: RouteContext, subscriptionId: string, resourceGroup?: string): VaultRecord[] {
  return Object.values(armState(ctx.core).vaults)
    .filter((v) => v.subscriptionId === subscriptionId && (!resourceGroup || v.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const vaultRoutes: Route[] = [
  { method: "PUT", path: vaultBase, operation: "Vaults_CreateOrUpdate", handler: createOrUpdate },
  { method: "PATCH", path: vaultBase, operation: "Vaults_Update", handler: update },
  {
    method: "GET",
    path: vaultBase,
    operation: "Vaults_Get",
    handler: (ctx) => {
      const { subscription, resourceGroup } = vaultTarget(ctx, "Microsoft.KeyVault/vaults/read");
      return json(vaultResource(requireVault(ctx, subscription.subscriptionId, resourceGroup)));
    },
  },
  {
    method: "DELETE",
    path: vaultBase,
    operation: "Vaults_Delete",
    handler: (ctx) => {
      const { subscription, resourceGroup } = vaultTarget(ctx, "Microsoft.KeyVault/vaults/delete");
      const vault = findVaultIn(ctx, subscription.subscriptionId, resourceGroup);
      if (!vault) return { status: 204 };
      deleteVault(ctx.core, vault);
      return { status: 200 };
    },
  },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.KeyVault/vaults",
    operation: "Vaults_ListByResourceGroup",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}`, "Microsoft.KeyVault/vaults/read");
      const group = requireResourceGroup(ctx.core, subscription.subscriptionId, ctx.params.resourceGroupName!);
      return json(page(ctx.req, listVaults(ctx, subscription.subscriptionId, group.name).map(vaultResource)));
    },
  },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers/Microsoft.KeyVault/vaults",
    operation: "Vaults_ListBySubscription",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      const visible = listFilter(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.KeyVault/vaults/read");
      const vaults = listVaults(ctx, subscription.subscriptionId).filter((v) => visible(vaultId(v)));
      return json(page(ctx.req, vaults.map(vaultResource)));
    },
  },
  { method: "GET", path: "/subscriptions/:subscriptionId/resources", operation: "Vaults_List", handler: (ctx) => genericList(ctx) },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/resources",
    operation: "Resources_ListByResourceGroup",
    handler: (ctx) => genericList(ctx, ctx.params.resourceGroupName!),
  },
];
