import { json } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { DO_NOT_CANCEL_FEATURE } from "../admin-operations.js";
import { authorize, requireSubscription } from "../request-context.js";
import type { SubscriptionRecord } from "../model.js";

/** Features ARM lists for a namespace even before a subscription touches them. */
const KNOWN_FEATURES = [DO_NOT_CANCEL_FEATURE];

/** Features Microsoft approves by hand: registering them waits in `Pending`. */
const APPROVAL_REQUIRED = new Set([DO_NOT_CANCEL_FEATURE.toLowerCase()]);

const featurePrefix = "/subscriptions/:subscriptionId/providers/Microsoft.Features/providers/:namespace/features";

function featureKey(subscription: SubscriptionRecord, fullName: string): string {
  return Object.keys(subscription.features).find((k) => k.toLowerCase() === fullName.toLowerCase()) ?? fullName;
}

/** `FeatureResult` in the shape real ARM returns (PascalCase state, `{ns}/{feature}` name). */
function featureResult(subscription: SubscriptionRecord, fullName: string): Record<string, unknown> {
  const key = featureKey(subscription, fullName);
  const [namespace, feature] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
  return {
    id: `/subscriptions/${subscription.subscriptionId}/providers/Microsoft.Features/providers/${namespace}/features/${feature}`,
    name: key,
    type: "Microsoft.Features/providers/features",
    properties: { state: subscription.features[key]?.state ?? "NotRegistered" },
  };
}

/** The full name with the namespace as the catalog spells it when known, else as the caller sent it. */
function canonicalName(namespace: string, feature: string): string {
  const asked = `${namespace}/${feature}`;
  return KNOWN_FEATURES.find((k) => k.toLowerCase() === asked.toLowerCase()) ?? asked;
}

function change(ctx: RouteContext, register: boolean) {
  const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
  authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, `Microsoft.Features/providers/features/${register ? "register" : "unregister"}/action`);
  const name = featureKey(subscription, canonicalName(ctx.params.namespace!, ctx.params.featureName!));
  const current = subscription.features[name]?.state ?? "NotRegistered";
  const now = ctx.core.clock.now().toISOString();
  if (register && !["Registered", "Registering", "Pending"].includes(current)) {
    // Do-Not-Cancel stays Pending until Microsoft approves it (approveDoNotCancel); others settle by themselves.
    subscription.features[name] = { state: APPROVAL_REQUIRED.has(name.toLowerCase()) ? "Pending" : "Registering", updatedAt: now };
    ctx.core.changed();
  } else if (!register && !["NotRegistered", "Unregistered", "Unregistering"].includes(current)) {
    subscription.features[name] = { state: "Unregistering", updatedAt: now };
    ctx.core.changed();
  }
  return json(featureResult(subscription, name));
}

function listFor(subscription: SubscriptionRecord, namespace?: string): Record<string, unknown>[] {
  const names = new Map<string, string>();
  for (const name of [...KNOWN_FEATURES, ...Object.keys(subscription.features)]) names.set(name.toLowerCase(), featureKey(subscription, name));
  return [...names.values()]
    .filter((n) => !namespace || n.toLowerCase().startsWith(`${namespace.toLowerCase()}/`))
    .map((n) => featureResult(subscription, n));
}

export const featureRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers/Microsoft.Features/features",
    operation: "Features_ListAll",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Features/features/read");
      return json({ value: listFor(subscription) });
    },
  },
  {
    method: "GET",
    path: featurePrefix,
    operation: "Features_List",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Features/providers/features/read");
      return json({ value: listFor(subscription, ctx.params.namespace!) });
    },
  },
  {
    method: "GET",
    path: `${featurePrefix}/:featureName`,
    operation: "Features_Get",
    handler: (ctx) => {
      const subscription = requireSubscription(ctx.core, ctx.params.subscriptionId!);
      authorize(ctx, `/subscriptions/${subscription.subscriptionId}`, "Microsoft.Features/providers/features/read");
      return json(featureResult(subscription, canonicalName(ctx.params.namespace!, ctx.params.featureName!)));
    },
  },
  { method: "POST", path: `${featurePrefix}/:featureName/register`, operation: "Features_Register", handler: (ctx) => change(ctx, true) },
  { method: "POST", path: `${featurePrefix}/:featureName/unregister`, operation: "Features_Unregister", handler: (ctx) => change(ctx, false) },
];
