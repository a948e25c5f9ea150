import { randomBytes } from "node:crypto";
import { json } from "../../kernel/http.js";
import { bodyOf, kvRoute, type KvContext } from "../request-context.js";
import { rsaDecrypt, rsaEncrypt, rsaSign, rsaVerify } from "../rsa-crypto.js";
import { kvErrors } from "../errors.js";
import { requireVersion } from "./keys.js";
import { kidOf } from "../shapes.js";
import { decodeValue, familyOf } from "../key-material.js";
import { ecSign, ecVerify } from "../ec-crypto.js";
import { octCrypt, octWrap } from "../oct-crypto.js";
import type { KeyVersionRecord } from "../model.js";
import { PERMISSIONS, type KeyPermission } from "../../authz/key-permissions.js";

export type CryptoOp = "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify";

/** Operations that protect new data: refused outside nbf..exp (decrypt, unwrap and verify keep working on old data). */
const PROTECTING_OPS: readonly CryptoOp[] = ["encrypt", "wrapKey", "sign"];

/**
 * The key state rules of the service: key_ops, enabled, and the nbf/exp window on the emulator
 * clock. A disabled key refuses every crypto operation (403 KeyDisabled): Microsoft's key
 * attribute documentation says so. The report that encrypt, wrapKey and verify still answered
 * (Azure/azure-sdk-for-python#45342) most likely saw the Python client doing them locally with
 * the public key (research/azure-error-evidence.md §4).
 */
export function checkUsable(kv: Pick<KvContext, "now">, version: KeyVersionRecord, op: CryptoOp): void {
  if (!version.keyOps.includes(op)) throw kvErrors.operationNotPermitted(op);
  if (!version.attributes.enabled) throw kvErrors.keyDisabled(op);
  if (PROTECTING_OPS.includes(op)) {
    const { nbf, exp } = version.attributes;
    if (nbf !== undefined && kv.now < nbf) throw kvErrors.keyNotYetValid(op);
    if (exp !== undefined && kv.now >= exp) throw kvErrors.keyExpired(op);
  }
}

async function prepare(kv: KvContext, op: CryptoOp) {
  const { record, version } = requireVersion(kv, kv.params["name"]!, kv.params["version"]);
  const body = await bodyOf(kv);
  const alg = body["alg"];
  if (typeof alg !== "string" || alg === "") throw kvErrors.badParameter("The 'alg' parameter is required.");
  const value = decodeValue(body["value"]);
  checkUsable(kv, version, op);
  return { kid: kidOf(kv.origin, record.name, version.version), jwk: version.privateJwk, family: familyOf(version.kty), alg, value, body };
}

const optionalBytes = (body: Record<string, unknown>, field: string) => (body[field] === undefined || body[field] === null ? undefined : decodeValue(body[field], field));
const b64 = (bytes: Buffer | undefined) => bytes?.toString("base64url");

/** encrypt, decrypt, wrapKey, unwrapKey: RSA by the key's public or private half, AES by a symmetric key; EC keys only sign. */
function transform(op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey") {
  return async (kv: KvContext) => {
    const { kid, jwk, family, alg, value, body } = await prepare(kv, op);
    const forward = op === "encrypt" || op === "wrapKey";
    if (family === "EC") throw kvErrors.badParameter(`EC keys cannot ${op}; they sign and verify.`);
    if (family === "RSA") return json({ kid, value: (forward ? rsaEncrypt(jwk, alg, value) : rsaDecrypt(jwk, alg, value)).toString("base64url") });
    if (op === "wrapKey" || op === "unwrapKey") return json({ kid, value: octWrap(jwk, alg, value, op === "unwrapKey").toString("base64url") });
    const result = octCrypt(jwk, alg, value, !forward, { iv: optionalBytes(body, "iv"), aad: optionalBytes(body, "aad"), tag: optionalBytes(body, "tag") });
    return json({ kid, value: result.value.toString("base64url"), ...(result.iv ? { iv: b64(result.iv) } : {}), ...(result.tag ? { tag: b64(result.tag) } : {}), ...(result.aad ? { aad: b64(result.aad) } : {}) });
  };
}

async function sign(kv: KvContext) {
  const { kid, jwk, family, alg, value } = await prepare(kv, "sign");
  if (family === "oct") throw kvErrors.badParameter("Symmetric keys cannot sign.");
  return json({ kid, value: (family === "EC" ? ecSign(jwk, alg, value) : rsaSign(jwk, alg, value)).toString("base64url") });
}

async function verify(kv: KvContext) {
  const { jwk, family, alg, value, body } = await prepare(kv, "verify");
  if (family === "oct") throw kvErrors.badParameter("Symmetric keys cannot verify.");
  const digest = decodeValue(body["digest"], "digest");
  return json({ value: family === "EC" ? ecVerify(jwk, alg, digest, value) : rsaVerify(jwk, alg, digest, value) });
}

/** `POST /rng`: 1..128 random bytes. */
async function randomBytesOp(kv: KvContext) {
  const body = await bodyOf(kv);
  const count = body["count"];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 128) {
    throw kvErrors.badParameter("The 'count' parameter must be an integer between 1 and 128.");
  }
  return json({ value: randomBytes(count).toString("base64url") });
}

const route = (segment: string, operation: string, permission: KeyPermission, handler: (kv: KvContext) => Promise<ReturnType<typeof json>>) =>
  kvRoute({ method: "POST", path: `/keys/:name/:version?/${segment}`, operation, permission, handler, readOnly: true });

export const operationRoutes = [
  route("wrapkey", "WrapKey", PERMISSIONS.wrapKey, transform("wrapKey")),
  route("unwrapkey", "UnwrapKey", PERMISSIONS.unwrapKey, transform("unwrapKey")),
  route("encrypt", "Encrypt", PERMISSIONS.encrypt, transform("encrypt")),
  route("decrypt", "Decrypt", PERMISSIONS.decrypt, transform("decrypt")),
  route("sign", "Sign", PERMISSIONS.sign, sign),
  route("verify", "Verify", PERMISSIONS.verify, verify),
  kvRoute({ method: "POST", path: "/rng", operation: "GetRandomBytes", permission: null, readOnly: true, handler: randomBytesOp }),
];
