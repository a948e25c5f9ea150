/**
 * Checks a bring-your-own RSA key before it is imported. Messages name JWK members, never their
 * values: the key's private parts must not reach a log or an error.
 */
import { createPrivateKey } from "node:crypto";
import type { JsonWebKey as KeyVaultJwk } from "@azure/keyvault-keys";
import { InvalidInputError } from "../errors.js";
import { KEY_SIZES, modulusBits, ROOT_KEY_OPERATIONS } from "../rules/key-rules.js";

/** A JWK as `crypto.KeyObject.export({ format: "jwk" })` gives it (base64url strings) or as Key Vault's (bytes). */
export type ImportableJwk = KeyVaultJwk | Record<string, unknown>;

const MEMBERS = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;
const KV_MEMBER: Record<(typeof MEMBERS)[number], keyof KeyVaultJwk> = { n: "n", e: "e", d: "d", p: "p", q: "q", dp: "dp", dq: "dq", qi: "qi" };

function invalid(message: string): InvalidInputError {
  return new InvalidInputError("ERR_KEY_MATERIAL_INVALID", `The key to import ${message}. Nothing was sent.`, { field: "jwk" });
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && /^[A-Za-z0-9_-]+={0,2}$/.test(value)) return Buffer.from(value, "base64url");
  return undefined;
}

/**
 * Turns the input into Key Vault's JWK (bytes) with key_ops exactly wrapKey/unwrapKey, after
 * checking it is a complete RSA private key of 2048, 3072 or 4096 bits.
 */
export function toImportJwk(input: ImportableJwk): KeyVaultJwk {
  if (!input || typeof input !== "object") throw invalid("must be a JSON Web Key object");
  const source = input as Record<string, unknown>;
  const kty = source["kty"];
  if (kty !== "RSA" && kty !== "RSA-HSM") throw invalid(`must be an RSA key (kty "RSA"); Customer Key cannot use kty "${typeof kty === "string" ? kty : typeof kty}"`);
  const parts: Partial<Record<(typeof MEMBERS)[number], Uint8Array>> = {};
  const missing: string[] = [];
  for (const member of MEMBERS) {
    const bytes = bytesOf(source[member]);
    if (!bytes || bytes.length === 0) missing.push(member);
    else parts[member] = bytes;
  }
  if (missing.length > 0) {
    const privateMissing = missing.some((m) => m !== "n" && m !== "e");
    throw invalid(`lacks ${missing.join(", ")}${privateMissing ? " (the private parts: importing needs the whole private key)" : ""}`);
  }
  const bits = modulusBits(parts.n);
  if (bits === undefined || !(KEY_SIZES as readonly number[]).includes(bits)) throw invalid(`has a ${bits ?? 0}-bit modulus; use 2048, 3072 or 4096 bits`);
  let consistent = false;
  try {
    const b64 = (m: (typeof MEMBERS)[number]) => Buffer.from(parts[m]!).toString("base64url");
    createPrivateKey({ key: { kty: "RSA", n: b64("n"), e: b64("e"), d: b64("d"), p: b64("p"), q: b64("q"), dp: b64("dp"), dq: b64("dq"), qi: b64("qi") }, format: "jwk" });
    consistent = rsaParametersConsistent(parts as Record<(typeof MEMBERS)[number], Uint8Array>);
  } catch {
    // The crypto error may quote the input; it is dropped on purpose.
  }
  if (!consistent) throw invalid("is not a consistent RSA private key");
  const jwk: KeyVaultJwk = { kty: "RSA", keyOps: [...ROOT_KEY_OPERATIONS] as KeyVaultJwk["keyOps"] };
  for (const member of MEMBERS) (jwk as Record<string, unknown>)[KV_MEMBER[member]] = parts[member];
  return jwk;
}

const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);

/**
 * n = p·q and d, dp, dq, qi agree with p, q, e. OpenSSL signs with the CRT values only, so a
 * wrong `d` would otherwise reach Key Vault unnoticed.
 */
function rsaParametersConsistent(parts: Record<(typeof MEMBERS)[number], Uint8Array>): boolean {
  const [n, e, d, p, q, dp, dq, qi] = MEMBERS.map((m) => big(parts[m]));
  const one = BigInt(1);
  return (
    p! * q! === n! &&
    (d! * e!) % (p! - one) === one &&
    (d! * e!) % (q! - one) === one &&
    d! % (p! - one) === dp! &&
    d! % (q! - one) === dq! &&
    (qi! * q!) % p! === one
  );
}

/** Constant-shape comparison of two moduli (public values; no timing concern). */
export function sameModulus(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return false;
  const strip = (x: Uint8Array) => Buffer.from(x).subarray(x.findIndex((v) => v !== 0));
  return strip(a).equals(strip(b));
}
