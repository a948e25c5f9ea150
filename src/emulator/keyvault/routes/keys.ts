import { randomBytes, type JsonWebKey } from "node:crypto";
import { json } from "../../kernel/http.js";
import { bodyOf, kvRoute, type KvContext } from "../request-context.js";
import { kvErrors } from "../errors.js";
import { keyBundle, keyItem, latest } from "../shapes.js";
import { generateRsa, importRsa, RSA_SIZES } from "../key-material.js";
import type { KeyAttributesRecord, KeyRecord, KeyVersionRecord } from "../model.js";
import { page } from "../paging.js";
import { PERMISSIONS } from "../../authz/key-permissions.js";

/** `key_ops` of a key created without them (every real recording). */
export const DEFAULT_KEY_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
const KEY_OPS = [...DEFAULT_KEY_OPS, "import", "export"];
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function checkName(name: string): void {
  if (!NAME.test(name)) throw kvErrors.invalidName(name);
}

export const newVersionId = () => randomBytes(16).toString("hex");

/** The live key of that name, or 404 KeyNotFound. */
export function requireKey(kv: Pick<KvContext, "keys">, name: string): KeyRecord {
  const record = kv.keys.keys[name.toLowerCase()];
  if (!record) throw kvErrors.keyNotFound(name);
  return record;
}

/** A version of a live key; an empty version is the latest. */
export function requireVersion(kv: Pick<KvContext, "keys">, name: string, version: string | undefined): { record: KeyRecord; version: KeyVersionRecord } {
  const record = requireKey(kv, name);
  if (!version) return { record, version: latest(record) };
  const found = record.versions.find((v) => v.version === version.toLowerCase());
  if (!found) throw kvErrors.keyNotFound(`${name}/${version}`);
  return { record, version: found };
}

/** Creating or importing over a soft-deleted name is refused until it is recovered or purged. */
export function refuseDeletedName(kv: KvContext, name: string): void {
  if (kv.keys.deleted[name.toLowerCase()]) throw kvErrors.deletedButRecoverable(name);
}

export function parseKeyOps(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((op) => typeof op !== "string" || !KEY_OPS.includes(op))) {
    throw kvErrors.badParameter(`Invalid key_ops: each operation must be one of ${KEY_OPS.join(", ")}.`);
  }
  return [...new Set(value as string[])];
}

export function parseTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw kvErrors.badParameter("Tags must be an object whose values are strings.");
  }
  if (Object.keys(value).length > 15) throw kvErrors.badParameter("A key can have at most 15 tags.");
  return { ...(value as Record<string, string>) };
}

/** Applies the settable attributes (`enabled`, `nbf`, `exp`, `exportable`) of a request onto `target`. */
export function applyAttributes(target: KeyAttributesRecord, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "object" || Array.isArray(value)) throw kvErrors.badParameter("The 'attributes' parameter must be an object.");
  const a = value as Record<string, unknown>;
  if (a["enabled"] !== undefined && a["enabled"] !== null) {
    if (typeof a["enabled"] !== "boolean") throw kvErrors.badParameter("attributes.enabled must be a boolean.");
    target.enabled = a["enabled"];
  }
  for (const field of ["nbf", "exp"] as const) {
    const v = a[field];
    if (v === undefined) continue;
    if (v === null) delete target[field];
    else if (typeof v === "number" && Number.isInteger(v)) target[field] = v;
    else throw kvErrors.badParameter(`attributes.${field} must be a unix time in seconds.`);
  }
  if (a["exportable"] === true) throw kvErrors.badParameter("An exportable key needs a release policy; the emulator does not support key release.");
  if (target.nbf !== undefined && target.exp !== undefined && target.nbf > target.exp) {
    throw kvErrors.badParameter("attributes.nbf must not be later than attributes.exp.");
  }
}

/** Adds a version to the key of that name (creating the key), and marks the state changed. */
export function addVersion(
  kv: KvContext,
  name: string,
  parts: { kty: string; jwk: JsonWebKey; keyOps: string[]; attributes?: unknown; tags?: Record<string, string> | undefined; exp?: number },
): KeyRecord {
  const attributes: KeyAttributesRecord = { enabled: true, created: kv.now, updated: kv.now, exportable: false };
  if (parts.exp !== undefined) attributes.exp = parts.exp;
  applyAttributes(attributes, parts.attributes);
  const version: KeyVersionRecord = { version: newVersionId(), kty: parts.kty, keyOps: parts.keyOps, privateJwk: parts.jwk, attributes, ...(parts.tags ? { tags: parts.tags } : {}) };
  const slot = name.toLowerCase();
  const record = kv.keys.keys[slot] ?? { name, versions: [] };
  record.versions.push(version);
  kv.keys.keys[slot] = record;
  kv.core.changed();
  return record;
}

function checkKty(kv: KvContext, kty: unknown): "RSA" | "RSA-HSM" {
  if (kty === undefined || kty === null || kty === "") throw kvErrors.badParameter("The 'kty' parameter is required.");
  if (kty !== "RSA" && kty !== "RSA-HSM") {
    throw kvErrors.badParameter(`The key type '${String(kty)}' is not supported by the emulator; it emulates RSA and RSA-HSM keys.`);
  }
  if (kty === "RSA-HSM" && kv.vault.properties.sku.name.toLowerCase() !== "premium") throw kvErrors.hsmOnStandard();
  return kty;
}

async function createKey(kv: KvContext) {
  const name = kv.params["name"]!;
  checkName(name);
  const body = await bodyOf(kv);
  const kty = checkKty(kv, body["kty"]);
  const size = body["key_size"] ?? 2048;
  if (typeof size !== "number" || !(RSA_SIZES as readonly number[]).includes(size)) {
    throw kvErrors.badParameter(`The key size ${String(size)} is not supported for RSA keys. Supported sizes are 2048, 3072 and 4096.`);
  }
  const exponent = body["public_exponent"] ?? 65537;
  if (exponent !== 65537 && exponent !== 3) throw kvErrors.badParameter(`The public exponent ${String(exponent)} is not supported; use 65537 or 3.`);
  const keyOps = parseKeyOps(body["key_ops"]) ?? DEFAULT_KEY_OPS;
  const tags = parseTags(body["tags"]);
  applyAttributes({ enabled: true, created: 0, updated: 0, exportable: false }, body["attributes"]);
  refuseDeletedName(kv, name);
  const jwk = await generateRsa(size, exponent);
  refuseDeletedName(kv, name);
  const record = addVersion(kv, name, { kty, jwk, keyOps, attributes: body["attributes"], tags });
  return json(keyBundle(kv.origin, kv.recovery, record));
}

async function importKey(kv: KvContext) {
  const name = kv.params["name"]!;
  checkName(name);
  const body = await bodyOf(kv);
  const key = body["key"];
  if (typeof key !== "object" || key === null || Array.isArray(key)) throw kvErrors.badParameter("The 'key' parameter (a JSON Web Key) is required.");
  const jwkIn = key as Record<string, unknown>;
  const hsm = body["Hsm"] === true || body["hsm"] === true || jwkIn["kty"] === "RSA-HSM";
  const kty = checkKty(kv, hsm ? "RSA-HSM" : jwkIn["kty"]);
  const jwk = importRsa(jwkIn);
  const keyOps = parseKeyOps(jwkIn["key_ops"]) ?? DEFAULT_KEY_OPS;
  const tags = parseTags(body["tags"]);
  refuseDeletedName(kv, name);
  const record = addVersion(kv, name, { kty, jwk, keyOps, attributes: body["attributes"], tags });
  return json(keyBundle(kv.origin, kv.recovery, record));
}

function getKey(kv: KvContext) {
  const { record, version } = requireVersion(kv, kv.params["name"]!, kv.params["version"]);
  return json(keyBundle(kv.origin, kv.recovery, record, version));
}

async function updateKey(kv: KvContext) {
  const { record, version } = requireVersion(kv, kv.params["name"]!, kv.params["version"]);
  const body = await bodyOf(kv);
  const keyOps = parseKeyOps(body["key_ops"]);
  const tags = parseTags(body["tags"]);
  const attributes = { ...version.attributes };
  applyAttributes(attributes, body["attributes"]);
  if (keyOps) version.keyOps = keyOps;
  if (tags) version.tags = tags;
  version.attributes = { ...attributes, updated: kv.now };
  kv.core.changed();
  return json(keyBundle(kv.origin, kv.recovery, record, version));
}

function listKeys(kv: KvContext) {
  const records = Object.values(kv.keys.keys).sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  return json(page(kv, records.map((r) => keyItem(kv.origin, kv.recovery, r, latest(r), false))));
}

/** Versions of a key that does not exist are an empty list, not 404 (recorded). */
function listVersions(kv: KvContext) {
  const record = kv.keys.keys[kv.params["name"]!.toLowerCase()];
  const items = record ? record.versions.map((v) => keyItem(kv.origin, kv.recovery, record, v, true)) : [];
  return json(page(kv, items));
}

export const keyRoutes = {
  create: kvRoute({ method: "POST", path: "/keys/:name/create", operation: "CreateKey", permission: PERMISSIONS.create, handler: createKey }),
  import: kvRoute({ method: "PUT", path: "/keys/:name", operation: "ImportKey", permission: PERMISSIONS.import, handler: importKey }),
  versions: kvRoute({ method: "GET", path: "/keys/:name/versions", operation: "GetKeyVersions", permission: PERMISSIONS.list, handler: listVersions }),
  list: kvRoute({ method: "GET", path: "/keys", operation: "GetKeys", permission: PERMISSIONS.list, handler: listKeys }),
  get: kvRoute({ method: "GET", path: "/keys/:name/:version?", operation: "GetKey", permission: PERMISSIONS.get, handler: getKey }),
  update: kvRoute({ method: "PATCH", path: "/keys/:name/:version?", operation: "UpdateKey", permission: PERMISSIONS.update, handler: updateKey }),
};
