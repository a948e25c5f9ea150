import { randomBytes } from "node:crypto";
import { json } from "../../kernel/http.js";
import { bodyOf, kvRoute, type KvContext } from "../request-context.js";
import { rsaDecrypt, rsaEncrypt, rsaSign, rsaVerify } from "../rsa-crypto.js";
import { kvErrors } from "../errors.js";
import { requireVersion } from "./keys.js";
import { kidOf } from "../shapes.js";
import { decodeValue } from "../key-material.js";
import type { KeyVersionRecord } from "../model.js";
import { PERMISSIONS, type KeyPermission } from "../../authz/key-permissions.js";

export type CryptoOp = "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify";

/** Operations that protect new data: refused outside nbf..exp (decrypt, unwrap and verify keep working on old data). */
const PROTECTING_OPS: readonly CryptoOp[] = ["encrypt", "wrapKey", "sign"];

/**
 * Operations that use the private half: the only ones a live service refuses on a disabled key
 * (403 KeyDisabled for decrypt, unwrapKey and sign; encrypt, wrapKey and verify still answer), as
 * observed against Azure in Azure/azure-sdk-for-python#45342.
 */
const PRIVATE_OPS: readonly CryptoOp[] = ["decrypt", "unwrapKey", "sign"];

/** The key state rules of the service: key_ops, enabled, and the nbf/exp window on the emulator clock. */
export function checkUsable(kv: Pick<KvContext, "now">, version: KeyVersionRecord, op: CryptoOp): void {
  if (!version.keyOps.includes(op)) throw kvErrors.operationNotPermitted(op);
  if (!version.attributes.enabled && PRIVATE_OPS.includes(op)) throw kvErrors.keyDisabled(op);
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
  return { kid: kidOf(kv.origin, record.name, version.version), jwk: version.privateJwk, alg, value, body };
}

function transform(op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey") {
  return async (kv: KvContext) => {
    const { kid, jwk, alg, value } = await prepare(kv, op);
    const out = op === "encrypt" || op === "wrapKey" ? rsaEncrypt(jwk, alg, value) : rsaDecrypt(jwk, alg, value);
    return json({ kid, value: out.toString("base64url") });
  };
}

async function sign(kv: KvContext) {
  const { kid, jwk, alg, value } = await prepare(kv, "sign");
  return json({ kid, value: rsaSign(jwk, alg, value).toString("base64url") });
}

async function verify(kv: KvContext) {
  const { jwk, alg, value, body } = await prepare(kv, "verify");
  return json({ value: rsaVerify(jwk, alg, decodeValue(body["digest"], "digest"), value) });
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
