import { createECDH, randomBytes, type JsonWebKey } from "node:crypto";
import { kvErrors } from "./errors.js";
import { CURVES, type CurveName } from "./key-material.js";

/**
 * ECDSA over a digest the client computed, as Key Vault signs (ES256, ES384, ES512, ES256K).
 * Node's crypto signs messages, not digests, and offers no raw ECDSA; so the scalar arithmetic is
 * done here with bigint, while the base point comes from OpenSSL (ECDH with private key 1).
 * Signatures are `r || s`, each as long as the curve order (JWS form, what the SDK expects).
 * Not constant time: this is an emulator's HSM, and its keys are test keys.
 */

interface Curve {
  /** Field prime. */
  p: bigint;
  /** Coefficient a of y² = x³ + ax + b. */
  a: bigint;
  /** Order of the base point. */
  n: bigint;
  /** Bytes of a coordinate and of r and s. */
  size: number;
  /** The base point. */
  g: Point;
  /** The algorithm that goes with the curve, and its digest length. */
  alg: string;
  digestBytes: number;
}

type Point = { x: bigint; y: bigint } | null;

const hex = (text: string) => BigInt(`0x${text}`);
const two = (e: number) => 1n << BigInt(e);

/** Domain parameters (SEC 2 / FIPS 186-4); checked against OpenSSL in test/emulator/keyvault-ec-oct.test.ts. */
const PARAMS: Record<CurveName, Omit<Curve, "g">> = {
  "P-256": {
    p: two(256) - two(224) + two(192) + two(96) - 1n,
    a: two(256) - two(224) + two(192) + two(96) - 1n - 3n,
    n: hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    size: 32,
    alg: "ES256",
    digestBytes: 32,
  },
  "P-384": {
    p: two(384) - two(128) - two(96) + two(32) - 1n,
    a: two(384) - two(128) - two(96) + two(32) - 1n - 3n,
    n: hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
    size: 48,
    alg: "ES384",
    digestBytes: 48,
  },
  "P-521": {
    p: two(521) - 1n,
    a: two(521) - 1n - 3n,
    n: hex("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
    size: 66,
    alg: "ES512",
    digestBytes: 64,
  },
  "P-256K": {
    p: two(256) - two(32) - 977n,
    a: 0n,
    n: hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
    size: 32,
    alg: "ES256K",
    digestBytes: 32,
  },
};

const curves = new Map<CurveName, Curve>();

/** The curve's parameters with its base point (OpenSSL's G: the public key of private key 1). */
export function curveOf(name: CurveName): Curve {
  let curve = curves.get(name);
  if (!curve) {
    const params = PARAMS[name];
    const ecdh = createECDH(CURVES[name]);
    ecdh.setPrivateKey(toBytes(1n, params.size));
    curve = { ...params, g: pointFromUncompressed(ecdh.getPublicKey(), params.size) };
    curves.set(name, curve);
  }
  return curve;
}

export const EC_SIGNATURE_ALGORITHMS = ["ES256", "ES384", "ES512", "ES256K"] as const;

function toBytes(value: bigint, size: number): Buffer {
  return Buffer.from(value.toString(16).padStart(size * 2, "0"), "hex");
}

const toBig = (bytes: Buffer) => (bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString("hex")}`));

function pointFromUncompressed(bytes: Buffer, size: number): Point {
  return { x: toBig(bytes.subarray(1, 1 + size)), y: toBig(bytes.subarray(1 + size)) };
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const lambda = P.x === Q.x && P.y === Q.y
    ? mod((3n * P.x * P.x + c.a) * inverse(2n * P.y, c.p), c.p)
    : mod((Q.y - P.y) * inverse(Q.x - P.x, c.p), c.p);
  const x = mod(lambda * lambda - P.x - Q.x, c.p);
  return { x, y: mod(lambda * (P.x - x) - P.y, c.p) };
}

function multiply(c: Curve, k: bigint, P: Point): Point {
  let result: Point = null;
  let addend = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(c, result, addend);
    addend = add(c, addend, addend);
  }
  return result;
}

/** The digest as an integer, cut to the order's bit length (FIPS 186-4 §6.4). */
function digestInteger(c: Curve, digest: Buffer): bigint {
  const e = toBig(digest);
  const excess = digest.length * 8 - c.n.toString(2).length;
  return excess > 0 ? e >> BigInt(excess) : e;
}

function checkAlgorithm(jwk: JsonWebKey, alg: string, digest: Buffer): Curve {
  const name = jwk.crv as CurveName;
  const c = curveOf(name);
  if (!(EC_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg)) {
    throw kvErrors.badParameter(`The algorithm '${alg}' is not supported for EC keys. Use ES256, ES384, ES512 or ES256K.`);
  }
  if (alg !== c.alg) throw kvErrors.badParameter(`The algorithm '${alg}' does not match the key's curve ${name}; use ${c.alg}.`);
  if (digest.length !== c.digestBytes) throw kvErrors.badParameter(`The digest must be ${c.digestBytes} bytes for ${alg}.`);
  return c;
}

/** Signs a digest with the private scalar `d`; the signature is `r || s`. */
export function ecSign(jwk: JsonWebKey, alg: string, digest: Buffer): Buffer {
  const c = checkAlgorithm(jwk, alg, digest);
  const d = toBig(Buffer.from(jwk.d ?? "", "base64url"));
  const e = digestInteger(c, digest);
  for (;;) {
    const k = mod(toBig(randomBytes(c.size + 8)), c.n - 1n) + 1n;
    const R = multiply(c, k, c.g);
    const r = mod(R!.x, c.n);
    if (r === 0n) continue;
    const s = mod(inverse(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, c.size), toBytes(s, c.size)]);
  }
}

/** Verifies `r || s` over a digest with the public point (x, y). */
export function ecVerify(jwk: JsonWebKey, alg: string, digest: Buffer, signature: Buffer): boolean {
  const c = checkAlgorithm(jwk, alg, digest);
  if (signature.length !== 2 * c.size) return false;
  const r = toBig(signature.subarray(0, c.size));
  const s = toBig(signature.subarray(c.size));
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const Q: Point = { x: toBig(Buffer.from(jwk.x ?? "", "base64url")), y: toBig(Buffer.from(jwk.y ?? "", "base64url")) };
  const w = inverse(s, c.n);
  const X = add(c, multiply(c, mod(digestInteger(c, digest) * w, c.n), c.g), multiply(c, mod(r * w, c.n), Q));
  return X !== null && mod(X.x, c.n) === r;
}
