/** Tenant, subscription, object and application ids are GUIDs; one pattern checks them all. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an object id / app id / subscription id shaped string. */
export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}
