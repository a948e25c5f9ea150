import { json, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { actorOf, bodyObject } from "../request-context.js";
import { armErrors } from "../errors.js";
import type { AccessPolicyEntry } from "../model.js";
import { vaultId } from "../vault-records.js";
import { parseAccessPolicies, samePrincipal } from "../vault-rules.js";
import { requireKeyVaultRegistered, requireVault, vaultBase, vaultTarget } from "./vaults.js";

type Kind = "keys" | "secrets" | "certificates" | "storage";
const kinds: Kind[] = ["keys", "secrets", "certificates", "storage"];

/** Union of two permission lists, case-insensitive, keeping the first spelling seen. */
function union(a: string[] = [], b: string[] = []): string[] {
  const seen = new Set(a.map((p) => p.toLowerCase()));
  return [...a, ...b.filter((p) => !seen.has(p.toLowerCase()) && seen.add(p.toLowerCase()))];
}

function without(a: string[] = [], b: string[] = []): string[] {
  const drop = new Set(b.map((p) => p.toLowerCase()));
  return a.filter((p) => !drop.has(p.toLowerCase()));
}

/**
 * `add` merges permissions into the principal's entry (or adds one), `replace` sets the
 * principal's permissions (adding the entry when missing), `remove` takes the listed
 * permissions away and drops entries left with none.
 */
export function applyAccessPolicyChange(policies: AccessPolicyEntry[], kind: "add" | "replace" | "remove", changes: AccessPolicyEntry[]): AccessPolicyEntry[] {
  let result = policies.map((p) => structuredClone(p));
  for (const change of changes) {
    const existing = result.find((p) => samePrincipal(p, change));
    if (kind === "remove") {
      if (!existing) continue;
      for (const k of kinds) {
        if (!existing.permissions[k]) continue;
        existing.permissions[k] = without(existing.permissions[k], change.permissions[k]);
      }
      if (kinds.every((k) => (existing.permissions[k]?.length ?? 0) === 0)) result = result.filter((p) => p !== existing);
    } else if (!existing) {
      result.push(structuredClone(change));
    } else {
      for (const k of kinds) {
        const next = kind === "add" ? union(existing.permissions[k], change.permissions[k]) : change.permissions[k];
        if (next === undefined) delete existing.permissions[k];
        else existing.permissions[k] = [...next];
      }
    }
  }
  return result;
}

async function updateAccessPolicy(ctx: RouteContext): Promise<Reply> {
  const { subscription, resourceGroup } = vaultTarget(ctx, "Microsoft.KeyVault/vaults/accessPolicies/write");
  requireKeyVaultRegistered(subscription);
  const kind = ctx.params.operationKind!.toLowerCase();
  if (kind !== "add" && kind !== "replace" && kind !== "remove") {
    throw armErrors.badRequest(`The access policy update kind '${ctx.params.operationKind}' is invalid. Allowed values are 'add', 'replace' and 'remove'.`);
  }
  const vault = requireVault(ctx, subscription.subscriptionId, resourceGroup);
  const body = await bodyObject(ctx.req);
  const props = body["properties"] as Record<string, unknown> | undefined;
  if (!props || !Array.isArray(props["accessPolicies"])) throw armErrors.badRequest("The property 'properties.accessPolicies' is required.");
  const changes = parseAccessPolicies(props["accessPolicies"]);
  const next = applyAccessPolicyChange(vault.properties.accessPolicies, kind, changes);
  if (next.length > 1024) throw armErrors.badRequest("A vault may not have more than 1024 access policies.");
  vault.properties.accessPolicies = next;
  const actor = actorOf(ctx.caller);
  vault.lastModifiedAt = ctx.core.clock.now().toISOString();
  vault.lastModifiedBy = actor.name;
  vault.lastModifiedByType = actor.type;
  ctx.core.changed();
  // The answer echoes the policies of the request, not the vault's whole list (swagger example).
  return json({
    id: `${vaultId(vault)}/accessPolicies/`,
    type: "Microsoft.KeyVault/vaults/accessPolicies",
    properties: { accessPolicies: changes },
  });
}

export const accessPolicyRoutes: Route[] = [
  { method: "PUT", path: `${vaultBase}/accessPolicies/:operationKind`, operation: "Vaults_UpdateAccessPolicy", handler: updateAccessPolicy },
];
