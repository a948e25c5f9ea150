import { json } from "../../kernel/http.js";
import { bodyOf, kvRoute, type KvContext } from "../request-context.js";
import { kvErrors } from "../errors.js";
import { addVersion, requireKey } from "./keys.js";
import { keyBundle, latest, rotationPolicyJson } from "../shapes.js";
import { familyOf, generateKeyMaterial, publicExponentOf, rsaBits, type KeyTypeName } from "../key-material.js";
import type { KeyVersionRecord, LifetimeActionRecord, RotationPolicyRecord } from "../model.js";
import { PERMISSIONS } from "../../authz/key-permissions.js";

const DURATION = /^P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/i;

/** Days of an ISO 8601 date duration (`P90D`, `P2Y`, `P1M`), counting months as 30 and years as 365 days. */
export function durationDays(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [y, mo, w, d] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0)) as [number, number, number, number];
  return y * 365 + mo * 30 + w * 7 + d;
}

function parseDuration(value: unknown, field: string): string {
  if (typeof value !== "string" || durationDays(value) === undefined) {
    throw kvErrors.badParameter(`${field} must be an ISO 8601 duration such as P90D.`);
  }
  return value.toUpperCase();
}

function parseAction(value: unknown): LifetimeActionRecord {
  const entry = (typeof value === "object" && value !== null ? value : {}) as { trigger?: Record<string, unknown>; action?: Record<string, unknown> };
  const trigger = entry.trigger ?? {};
  const after = trigger["timeAfterCreate"];
  const before = trigger["timeBeforeExpiry"];
  if ((after === undefined) === (before === undefined)) {
    throw kvErrors.badParameter("Each lifetime action needs exactly one trigger: timeAfterCreate or timeBeforeExpiry.");
  }
  const type = String(entry.action?.["type"] ?? "").toLowerCase();
  if (type !== "rotate" && type !== "notify") throw kvErrors.badParameter("A lifetime action's type must be Rotate or Notify.");
  if (type === "notify" && after !== undefined) throw kvErrors.badParameter("A Notify action can only be triggered by timeBeforeExpiry.");
  return {
    trigger: after !== undefined ? { timeAfterCreate: parseDuration(after, "timeAfterCreate") } : { timeBeforeExpiry: parseDuration(before, "timeBeforeExpiry") },
    action: { type: type === "rotate" ? "Rotate" : "Notify" },
  };
}

/** PUT sets what is sent and leaves the rest undefined (the spec's description). */
async function setPolicy(kv: KvContext) {
  const record = requireKey(kv, kv.params["name"]!);
  const body = await bodyOf(kv);
  const actions = body["lifetimeActions"] ?? [];
  if (!Array.isArray(actions)) throw kvErrors.badParameter("lifetimeActions must be an array.");
  const attributes = (body["attributes"] ?? {}) as Record<string, unknown>;
  const expiryTime = attributes["expiryTime"] === undefined || attributes["expiryTime"] === null ? undefined : parseDuration(attributes["expiryTime"], "expiryTime");
  if (expiryTime && durationDays(expiryTime)! < 28) throw kvErrors.badParameter("expiryTime should be at least 28 days (P28D).");
  const policy: RotationPolicyRecord = {
    lifetimeActions: actions.map(parseAction),
    ...(expiryTime ? { expiryTime } : {}),
    created: record.rotationPolicy?.created ?? kv.now,
    updated: kv.now,
  };
  record.rotationPolicy = policy;
  kv.core.changed();
  return json(rotationPolicyJson(kv.origin, record.name, policy));
}

function getPolicy(kv: KvContext) {
  const record = requireKey(kv, kv.params["name"]!);
  return json(rotationPolicyJson(kv.origin, record.name, record.rotationPolicy));
}

/** Fresh key material of the same type, size, curve (and RSA exponent) as a version. */
function newMaterialLike(current: KeyVersionRecord) {
  const kty = current.kty as KeyTypeName;
  const jwk = current.privateJwk;
  const family = familyOf(kty);
  if (family === "RSA") return generateKeyMaterial(kty, { size: rsaBits(jwk), exponent: publicExponentOf(jwk) });
  if (family === "EC") return generateKeyMaterial(kty, { curve: jwk.crv });
  return generateKeyMaterial(kty, { size: Buffer.from(jwk.k ?? "", "base64url").length * 8 });
}

/** A new version with the current version's type, size, exponent, operations and tags; `exp` from the policy's expiryTime. */
async function rotateKey(kv: KvContext) {
  const record = requireKey(kv, kv.params["name"]!);
  const current = latest(record);
  const jwk = await newMaterialLike(current);
  // A delete that landed while the key was generated must not be undone by the new version.
  if (kv.keys.keys[record.name.toLowerCase()] !== record) throw kvErrors.keyNotFound(record.name);
  const expiryDays = record.rotationPolicy?.expiryTime ? durationDays(record.rotationPolicy.expiryTime) : undefined;
  const updated = addVersion(kv, record.name, {
    kty: current.kty,
    jwk,
    keyOps: [...current.keyOps],
    tags: current.tags ? { ...current.tags } : undefined,
    ...(expiryDays !== undefined ? { exp: kv.now + expiryDays * 86_400 } : {}),
  });
  return json(keyBundle(kv.origin, kv.recovery, updated));
}

export const rotationRoutes = {
  rotate: kvRoute({ method: "POST", path: "/keys/:name/rotate", operation: "RotateKey", permission: PERMISSIONS.rotate, handler: rotateKey }),
  getPolicy: kvRoute({ method: "GET", path: "/keys/:name/rotationpolicy", operation: "GetKeyRotationPolicy", permission: PERMISSIONS.getRotationPolicy, handler: getPolicy }),
  setPolicy: kvRoute({ method: "PUT", path: "/keys/:name/rotationpolicy", operation: "UpdateKeyRotationPolicy", permission: PERMISSIONS.setRotationPolicy, handler: setPolicy }),
};
