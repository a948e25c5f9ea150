import { json, ServiceError, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { operationUrl, startOperation } from "./async-operations.js";
import { authorize, bodyObject, page, requireSubscription } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type DeletedVaultRecord } from "../model.js";
import { normaliseRegion } from "../regions.js";
import { deletedVaultResource } from "../vault-records.js";
import { invalidVaultNameMessage, isValidVaultName, vaultNameInUseMessage } from "../vault-rules.js";
import { requireKeyVaultRegistered } from "./vaults.js";

const deletedBase = "/subscriptions/:subscriptionId/providers/Microsoft.KeyVault/locations/:location/deletedVaults/:vaultName";

/** The deleted vault of this subscription in this location, or 404. */
function requireDeleted(ctx: RouteContext, subscriptionId: string): DeletedVaultRecord {
  const deleted = armState(ctx.core).deletedVaults[ctx.params.vaultName!.toLowerCase()];
  const location = normaliseRegion(ctx.params.location!) ?? ctx.params.location!.toLowerCase();
  if (!deleted || deleted.vault.subscriptionId !== subscriptionId || deleted.vault.location !== location) {
    throw new ServiceError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.KeyVault/locations/${ctx.params.location}/deletedVaults/${ctx.params.vaultName}' under subscription '${subscriptionId}' was not found.`,
    );
  }
  return deleted;
}

function purge(ctx: RouteContext): Reply {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.KeyVault/locations/deletedVaults/purge/action");
  requireKeyVaultRegistered(subscription);
  const deleted = requireDeleted(ctx, subscription.subscriptionId);
  const name = deleted.vault.name;
  // With purge protection only the service purges, at the scheduled purge date (see settle).
  // Code and message from public CLI output (azure-error-evidence.md §1); the status was never
  // printed: 405 is inferred from the code. ("InvalidOperation" is PowerShell's error category.)
  if (deleted.vault.properties.enablePurgeProtection) {
    throw new ServiceError(405, "MethodNotAllowed", "Operation 'DeletedVaultPurge' is not allowed.");
  }
  const running = Object.values(armState(ctx.core).operations).find(
    (o) => o.kind === "vaultPurge" && o.status === "InProgress" && o.target?.toLowerCase() === name.toLowerCase(),
  );
  const op = running ?? startOperation(ctx.core, "vaultPurge", subscription.subscriptionId, name);
  return { status: 202, headers: { location: operationUrl(ctx.req.origin, op, deleted.vault.location) } };
}

async function checkNameAvailability(ctx: RouteContext): Promise<Reply> {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.KeyVault/checkNameAvailability/read");
  requireKeyVaultRegistered(subscription);
  const body = await bodyObject(ctx.req);
  const name = body["name"];
  const type = body["type"];
  if (typeof name !== "string" || typeof type !== "string") throw armErrors.badRequest("The properties 'name' and 'type' are required.");
  if (type.toLowerCase() !== "microsoft.keyvault/vaults") {
    throw armErrors.badRequest(`The resource type '${type}' is invalid. The only supported type is 'Microsoft.KeyVault/vaults'.`);
  }
  if (!isValidVaultName(name)) return json({ nameAvailable: false, reason: "AccountNameInvalid", message: invalidVaultNameMessage(name) });
  const key = name.toLowerCase();
  // Vault names are global: active and soft-deleted vaults of every subscription reserve them.
  if (armState(ctx.core).vaults[key] || armState(ctx.core).deletedVaults[key]) {
    return json({ nameAvailable: false, reason: "AlreadyExists", message: vaultNameInUseMessage(name) });
  }
  return json({ nameAvailable: true });
}

export const deletedVaultRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers/Microsoft.KeyVault/deletedVaults",
    operation: "Vaults_ListDeleted",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.KeyVault/deletedVaults/read");
      const deleted = Object.values(armState(ctx.core).deletedVaults)
        .filter((d) => d.vault.subscriptionId === subscription.subscriptionId)
        .sort((a, b) => a.vault.name.localeCompare(b.vault.name));
      return json(page(ctx.req, deleted.map(deletedVaultResource)));
    },
  },
  {
    method: "GET",
    path: deletedBase,
    operation: "Vaults_GetDeleted",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.KeyVault/locations/deletedVaults/read");
      return json(deletedVaultResource(requireDeleted(ctx, subscription.subscriptionId)));
    },
  },
  { method: "POST", path: `${deletedBase}/purge`, operation: "Vaults_PurgeDeleted", handler: purge },
  {
    method: "POST",
    path: "/subscriptions/:subscriptionId/providers/Microsoft.KeyVault/checkNameAvailability",
    operation: "Vaults_CheckNameAvailability",
    readOnly: true,
    handler: checkNameAvailability,
  },
];
