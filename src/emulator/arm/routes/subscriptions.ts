import { json } from "../../kernel/http.js";
import type { Route } from "../../kernel/router.js";
import { hasAnyRoleAround } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type SubscriptionRecord } from "../model.js";

/** A subscription as `GET /subscriptions/{id}` answers it. */
export function subscriptionResource(s: SubscriptionRecord): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: s.quotaId ?? "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
  };
}

/** Subscriptions: a caller sees only those where it holds a role (at, above or below the subscription). */
export const subscriptionRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions",
    operation: "Subscriptions_List",
    handler: ({ core, caller }) => {
      const visible = Object.values(armState(core).subscriptions).filter((s) => hasAnyRoleAround(core, caller, `/subscriptions/${s.subscriptionId}`));
      return json({ value: visible.map(subscriptionResource), count: { type: "Total", value: visible.length } });
    },
  },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId",
    operation: "Subscriptions_Get",
    handler: ({ core, caller, params }) => {
      const subscription = armState(core).subscriptions[params.subscriptionId!.toLowerCase()];
      // ARM does not reveal a subscription the caller has no access to.
      if (!subscription || !hasAnyRoleAround(core, caller, `/subscriptions/${subscription.subscriptionId}`)) {
        throw armErrors.subscriptionNotFound(params.subscriptionId!);
      }
      return json(subscriptionResource(subscription));
    },
  },
];
