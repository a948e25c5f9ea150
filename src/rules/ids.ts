import { InvalidInputError } from "../errors.js";

/** Tenant, subscription, object and application ids are GUIDs; one pattern checks them all. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an object id / app id / subscription id shaped string. */
export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}

/** Throws InvalidInputError `ERR_SUBSCRIPTION_ID_INVALID` unless the value is a subscription id. */
export function validateSubscriptionId(subscriptionId: string, field = "subscriptionId"): void {
  if (!isGuid(subscriptionId)) {
    throw new InvalidInputError("ERR_SUBSCRIPTION_ID_INVALID", `${field} '${String(subscriptionId)}' is not a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000).`, { field });
  }
}
