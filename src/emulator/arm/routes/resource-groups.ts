import { json, ServiceError } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { operationUrl, startOperation } from "./async-operations.js";
import { authorize, bodyObject, findResourceGroup, listFilter, page, parseTags, requireResourceGroup, requireSubscription, resourceGroupKey } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type ResourceGroupRecord } from "../model.js";
import { AZURE_REGIONS, normaliseRegion } from "../regions.js";

const base = "/subscriptions/:subscriptionId/resourcegroups/:resourceGroupName";
const scopeOf = (subscriptionId: string, name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

export function resourceGroupResource(g: ResourceGroupRecord): Record<string, unknown> {
  return {
    id: scopeOf(g.subscriptionId, g.name),
    name: g.name,
    type: "Microsoft.Resources/resourceGroups",
    location: g.location,
    tags: g.tags,
    properties: { provisioningState: g.provisioningState ?? "Succeeded" },
  };
}

/** ARM's resource group name rule: 1-90 of letters, digits, `_`, `-`, `.`, `(`, `)`, not ending in `.`. */
function validName(name: string): boolean {
  return /^[-\w.()\p{L}]{1,90}$/u.test(name) && !name.endsWith(".");
}


async function createOrUpdate(ctx: RouteContext) {
  const { core, params, req } = ctx;
  const subscription = requireSubscription(core, params.subscriptionId!);
  const name = params.resourceGroupName!;
  const scope = scopeOf(subscription.subscriptionId, name);
  authorize(ctx, scope, "Microsoft.Resources/subscriptions/resourceGroups/write");
  if (!validName(name)) {
    throw armErrors.badRequest(
      `Resource group name '${name}' is invalid. It can include alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters that match the allowed characters.`,
      "InvalidResourceGroup",
    );
  }
  const body = await bodyObject(req);
  const location = typeof body["location"] === "string" ? normaliseRegion(body["location"]) : undefined;
  if (!location) {
    throw armErrors.badRequest(
      `The provided location '${String(body["location"] ?? "")}' is not available for resource group. List of available regions is '${AZURE_REGIONS.join(",")}'.`,
      "LocationNotAvailableForResourceGroup",
    );
  }
  const existing = findResourceGroup(core, subscription.subscriptionId, name);
  if (existing?.provisioningState === "Deleting") {
    throw new ServiceError(409, "ResourceGroupBeingDeleted", `The resource group '${existing.name}' is in deprovisioning state and cannot perform this operation.`);
  }
  if (existing && existing.location !== location) {
    throw new ServiceError(409, "InvalidResourceGroupLocation", `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`);
  }
  const tags = parseTags(body["tags"]);
  const record: ResourceGroupRecord = existing ?? { subscriptionId: subscription.subscriptionId, name, location, tags };
  record.tags = tags;
  armState(core).resourceGroups[resourceGroupKey(subscription.subscriptionId, name)] = record;
  core.changed();
  return json(resourceGroupResource(record), existing ? 200 : 201);
}

/** The subscription of a resource group read (GET or HEAD), once the caller may read the group. */
function authorizeGroupRead(ctx: RouteContext): string {
  const { subscriptionId } = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  authorize(ctx, scopeOf(subscriptionId, ctx.params.resourceGroupName!), "Microsoft.Resources/subscriptions/resourceGroups/read");
  return subscriptionId;
}

export const resourceGroupRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/resourcegroups",
    operation: "ResourceGroups_List",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      const visible = listFilter(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Resources/subscriptions/resourceGroups/read");
      const groups = Object.values(armState(ctx.core).resourceGroups).filter(
        (g) => g.subscriptionId === subscription.subscriptionId && visible(scopeOf(g.subscriptionId, g.name)),
      );
      return json(page(ctx.req, groups.map(resourceGroupResource)));
    },
  },
  { method: "PUT", path: base, operation: "ResourceGroups_CreateOrUpdate", handler: createOrUpdate },
  {
    method: "GET",
    path: base,
    operation: "ResourceGroups_Get",
    handler: (ctx) => json(resourceGroupResource(requireResourceGroup(ctx.core, authorizeGroupRead(ctx), ctx.params.resourceGroupName!))),
  },
  {
    method: "HEAD",
    path: base,
    operation: "ResourceGroups_CheckExistence",
    handler: (ctx) => ({ status: findResourceGroup(ctx.core, authorizeGroupRead(ctx), ctx.params.resourceGroupName!) ? 204 : 404 }),
  },
  {
    method: "DELETE",
    path: base,
    operation: "ResourceGroups_Delete",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, scopeOf(subscription.subscriptionId, ctx.params.resourceGroupName!), "Microsoft.Resources/subscriptions/resourceGroups/delete");
      const group = requireResourceGroup(ctx.core, subscription.subscriptionId, ctx.params.resourceGroupName!);
      // An asynchronous delete: 202 + Location, the group shows `Deleting` until the operation completes.
      const existing = Object.values(armState(ctx.core).operations).find(
        (o) => o.kind === "resourceGroupDelete" && o.status === "InProgress" && o.subscriptionId === subscription.subscriptionId && o.target?.toLowerCase() === group.name.toLowerCase(),
      );
      const op = existing ?? startOperation(ctx.core, "resourceGroupDelete", subscription.subscriptionId, group.name);
      group.provisioningState = "Deleting";
      ctx.core.changed();
      return { status: 202, headers: { location: operationUrl(ctx.req.origin, op) } };
    },
  },
];
