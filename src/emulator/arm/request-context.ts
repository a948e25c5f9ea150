import type { Caller } from "../kernel/auth.js";
import type { EmulatorCore } from "../kernel/core.js";
import type { EmulatorRequest } from "../kernel/http.js";
import type { RouteContext } from "../kernel/router.js";
import { assignmentsFor, permits, scopeCovers } from "../authz/arm-roles.js";
import { armErrors } from "./errors.js";
import { armState, type ResourceGroupRecord, type SubscriptionRecord } from "./model.js";

/** The subscription of a request, or 404 SubscriptionNotFound. */
export function requireSubscription(core: EmulatorCore, subscriptionId: string): SubscriptionRecord {
  const subscription = armState(core).subscriptions[subscriptionId.toLowerCase()];
  if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
  return subscription;
}

export const resourceGroupKey = (subscriptionId: string, name: string) => `${subscriptionId.toLowerCase()}/${name.toLowerCase()}`;

export function findResourceGroup(core: EmulatorCore, subscriptionId: string, name: string): ResourceGroupRecord | undefined {
  return armState(core).resourceGroups[resourceGroupKey(subscriptionId, name)];
}

export function requireResourceGroup(core: EmulatorCore, subscriptionId: string, name: string): ResourceGroupRecord {
  const group = findResourceGroup(core, subscriptionId, name);
  if (!group) throw armErrors.resourceGroupNotFound(name);
  return group;
}

/** True when the caller's role assignments at or above `scope` grant the management action. */
export function can(core: EmulatorCore, caller: Caller, scope: string, action: string): boolean {
  return permits(assignmentsFor(armState(core), scope, caller), action, { data: false });
}

/** ARM's front-door check: 403 AuthorizationFailed unless a role at or above the scope permits the action. */
export function authorize(ctx: RouteContext, scope: string, action: string): void {
  if (!can(ctx.core, ctx.caller, scope, action)) throw armErrors.authorizationFailed(ctx.caller, action, scope);
}

/** True when the caller holds any role assignment at, above or below the scope (ARM shows such a subscription). */
export function hasAnyRoleAround(core: EmulatorCore, caller: Caller, scope: string): boolean {
  const principals = new Set([caller.objectId.toLowerCase(), ...caller.groupIds.map((g) => g.toLowerCase())]);
  return Object.values(armState(core).roleAssignments).some(
    (a) => principals.has(a.principalId.toLowerCase()) && (scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope)),
  );
}

/**
 * A subscription-level read that lists children: with the action at the subscription scope the
 * caller sees everything; with it only on some children, only those; with no role at all, 403.
 */
export function listFilter(ctx: RouteContext, subscriptionScope: string, action: string): (childScope: string) => boolean {
  if (can(ctx.core, ctx.caller, subscriptionScope, action)) return () => true;
  if (!hasAnyRoleAround(ctx.core, ctx.caller, subscriptionScope)) throw armErrors.authorizationFailed(ctx.caller, action, subscriptionScope);
  return (childScope) => can(ctx.core, ctx.caller, childScope, action);
}

/**
 * One page of a list, ARM style: `$top` limits the page, `nextLink` carries `$skiptoken` (an
 * offset) and the caller's other query parameters.
 */
export function page<T>(req: EmulatorRequest, items: T[], defaultTop = 1000): { value: T[]; nextLink?: string } {
  const topText = req.query("$top");
  const top = topText !== null && /^\d+$/.test(topText) && Number(topText) > 0 ? Math.min(Number(topText), 1000) : defaultTop;
  const tokenText = req.query("$skiptoken");
  const start = tokenText && /^\d+$/.test(Buffer.from(tokenText, "base64url").toString()) ? Number(Buffer.from(tokenText, "base64url").toString()) : 0;
  const value = items.slice(start, start + top);
  if (start + top >= items.length) return { value };
  const next = new URL(req.path, req.origin);
  for (const [key, v] of req.url.searchParams) if (key.toLowerCase() !== "$skiptoken") next.searchParams.append(key, v);
  next.searchParams.set("$skiptoken", Buffer.from(String(start + top)).toString("base64url"));
  return { value, nextLink: next.toString() };
}

/** Who made a change, as `systemData` reports it. */
export function actorOf(caller: Caller): { name: string; type: "User" | "Application" } {
  return caller.kind === "user" ? { name: caller.upn ?? caller.objectId, type: "User" } : { name: caller.appId || caller.objectId, type: "Application" };
}

/** The request body as an object, or 400 when it is missing or not an object. */
export async function bodyObject(req: EmulatorRequest, required = true): Promise<Record<string, unknown>> {
  const body = await req.json().catch(() => {
    throw armErrors.invalidRequestContent("The request content was invalid and could not be deserialized.");
  });
  if (body === undefined && !required) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw armErrors.invalidRequestContent("The request content was invalid and could not be deserialized: the body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The scope of a `{scope}/providers/Microsoft.Authorization/...` request: `/` for the tenant root. */
export function authorizationScopeOf(req: EmulatorRequest): string {
  const path = req.path;
  const at = path.toLowerCase().indexOf("/providers/microsoft.authorization/");
  const raw = decodeURIComponent(path.slice(0, at));
  return raw === "" ? "/" : raw.replace(/\/+$/, "");
}

/** ARM `tags`: an object whose values are sent back as strings. */
export function parseTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw armErrors.invalidRequestContent("'tags' must be an object of strings.");
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}
