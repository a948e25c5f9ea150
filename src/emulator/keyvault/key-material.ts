import { constants, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes, type JsonWebKey, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { kvErrors } from "./errors.js";

const generate = promisify(generateKeyPair);

export const RSA_SIZES = [2048, 3072, 4096] as const;
export const OCT_SIZES = [128, 192, 256] as const;

/** The key types the emulator makes (Key Vault's `JsonWebKeyType`). */
export type KeyTypeName = "RSA" | "RSA-HSM" | "EC" | "EC-HSM" | "oct" | "oct-HSM";
export const KEY_TYPES: readonly KeyTypeName[] = ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM"];

/** Key Vault's curve names and Node's. */
export const CURVES = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", "P-256K": "secp256k1" } as const;
export type CurveName = keyof typeof CURVES;

/** `RSA`, `EC` or `oct`: the family of a key type. */
export function familyOf(kty: string): "RSA" | "EC" | "oct" {
  return kty.startsWith("RSA") ? "RSA" : kty.startsWith("EC") ? "EC" : "oct";
}

/** `key_ops` of a key created without them: what the type can do. */
export function defaultKeyOps(kty: string): string[] {
  const family = familyOf(kty);
  if (family === "EC") return ["sign", "verify"];
  if (family === "oct") return ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
  return ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
}

/**
 * New key material of a type as a private JWK (the stored form). Throws 400 BadParameter for a
 * size or curve Key Vault does not offer.
 */
export async function generateKeyMaterial(kty: KeyTypeName, options: { size?: unknown; curve?: unknown; exponent?: number } = {}): Promise<JsonWebKey> {
  const family = familyOf(kty);
  if (family === "RSA") {
    const size = options.size ?? 2048;
    if (typeof size !== "number" || !(RSA_SIZES as readonly number[]).includes(size)) {
      throw kvErrors.badParameter(`The key size ${String(size)} is not supported for RSA keys. Supported sizes are 2048, 3072 and 4096.`);
    }
    return generateRsa(size, options.exponent ?? 65537);
  }
  if (family === "EC") {
    const curve = options.curve ?? "P-256";
    if (typeof curve !== "string" || !(curve in CURVES)) {
      throw kvErrors.badParameter(`The curve '${String(curve)}' is not supported. Supported curves are P-256, P-384, P-521 and P-256K.`);
    }
    const { privateKey } = await generate("ec", { namedCurve: CURVES[curve as CurveName] });
    // Node names secp256k1 by its SEC name; the stored JWK keeps Key Vault's.
    return { ...privateKey.export({ format: "jwk" }), crv: curve };
  }
  const size = options.size ?? 256;
  if (typeof size !== "number" || !(OCT_SIZES as readonly number[]).includes(size)) {
    throw kvErrors.badParameter(`The key size ${String(size)} is not supported for symmetric keys. Supported sizes are 128, 192 and 256.`);
  }
  return { kty: "oct", k: randomBytes(size / 8).toString("base64url") };
}

/**
 * One spare key per (size, exponent) made in the background after each use: RSA generation
 * is the cost of a create (4096 bits takes about a second), and a spare hides it for the
 * next create or rotate. Spares live only in memory and are used once.
 */
const spares = new Map<string, Promise<JsonWebKey>>();

async function freshKey(size: number, exponent: number): Promise<JsonWebKey> {
  const { privateKey } = await generate("rsa", { modulusLength: size, publicExponent: exponent });
  return privateKey.export({ format: "jwk" });
}

/** A new RSA private key as a JWK. */
export async function generateRsa(size: number, exponent = 65537): Promise<JsonWebKey> {
  const slot = `${size}/${exponent}`;
  const spare = spares.get(slot);
  const next = freshKey(size, exponent);
  next.catch(() => undefined);
  spares.set(slot, next);
  return spare ?? freshKey(size, exponent);
}

const keyObjects = new WeakMap<JsonWebKey, KeyObject>();

/** The private KeyObject of a stored JWK, parsed once per JWK object. */
export function privateKeyOf(jwk: JsonWebKey): KeyObject {
  let key = keyObjects.get(jwk);
  if (!key) {
    key = createPrivateKey({ key: jwk, format: "jwk" });
    keyObjects.set(jwk, key);
  }
  return key;
}

/** Modulus size in bits. */
export function rsaBits(jwk: JsonWebKey): number {
  return (privateKeyOf(jwk).asymmetricKeyDetails?.modulusLength ?? Buffer.from(jwk.n ?? "", "base64url").length * 8);
}

export function publicExponentOf(jwk: JsonWebKey): number {
  return Number(privateKeyOf(jwk).asymmetricKeyDetails?.publicExponent ?? 65537n);
}

const privateFields = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;

/**
 * Checks a JWK sent to ImportKey: an RSA key with all private parts, of a supported size, whose
 * public and private halves belong together. Returns the normalised private JWK.
 */
export function importRsa(key: Record<string, unknown>): JsonWebKey {
  const kty = key["kty"];
  if (kty !== "RSA" && kty !== "RSA-HSM") {
    throw kvErrors.badParameter(`The key type '${String(kty)}' is not supported for import by the emulator; import an RSA key.`);
  }
  if (key["key_hsm"] !== undefined) throw kvErrors.badParameter("Importing a BYOK (key_hsm) blob is not supported by the emulator.");
  const jwk: JsonWebKey = { kty: "RSA" };
  for (const field of privateFields) {
    const value = key[field];
    if (typeof value !== "string" || value === "") {
      throw kvErrors.badParameter(`The JSON Web Key is missing the RSA parameter '${field}'; import needs the full private key.`);
    }
    jwk[field] = Buffer.from(value, base64Kind(value)).toString("base64url");
  }
  let bits: number;
  try {
    const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
    bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    // The parts must belong together: a round trip with the given public half proves it.
    const probe = randomBytes(16);
    const publicKey = createPublicKey({ key: { kty: "RSA", n: jwk.n!, e: jwk.e! }, format: "jwk" });
    const cipher = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, probe);
    if (!privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, cipher).equals(probe)) throw new Error("mismatch");
  } catch {
    throw kvErrors.badParameter("The JSON Web Key is not a valid RSA private key.");
  }
  if (!(RSA_SIZES as readonly number[]).includes(bits)) {
    throw kvErrors.badParameter(`The RSA key size ${bits} is not supported. Supported sizes are 2048, 3072 and 4096.`);
  }
  return jwk;
}

/** `base64url` unless the text uses the standard alphabet (`+`, `/`, `=`). */
export function base64Kind(text: string): "base64" | "base64url" {
  return /[+/=]/.test(text) ? "base64" : "base64url";
}

/** Decodes a base64url (or base64) request value; anything else is 400 BadParameter. */
export function decodeValue(value: unknown, field = "value"): Buffer {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    throw kvErrors.badParameter(`The parameter '${field}' must be a base64url-encoded string.`);
  }
  return Buffer.from(value, base64Kind(value));
}
