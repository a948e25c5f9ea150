import { constants, createHash, createPublicKey, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes, timingSafeEqual, type JsonWebKey, type KeyObject } from "node:crypto";
import { kvErrors } from "./errors.js";
import { privateKeyOf } from "./key-material.js";

/** RSA encryption algorithms of Key Vault (`JsonWebKeyEncryptionAlgorithm`, RSA part). */
export const RSA_ENCRYPTION_ALGORITHMS = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const;
export const RSA_SIGNATURE_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;

const publicKeys = new WeakMap<JsonWebKey, KeyObject>();
function publicKeyOf(jwk: JsonWebKey): KeyObject {
  let key = publicKeys.get(jwk);
  if (!key) {
    key = createPublicKey(privateKeyOf(jwk));
    publicKeys.set(jwk, key);
  }
  return key;
}

function modulusBytes(jwk: JsonWebKey): number {
  return Buffer.from(jwk.n ?? "", "base64url").length;
}

function checkEncryptionAlg(alg: string): void {
  if (!(RSA_ENCRYPTION_ALGORITHMS as readonly string[]).includes(alg)) {
    throw kvErrors.badParameter(`The algorithm '${alg}' is not supported for RSA keys. Use RSA-OAEP, RSA-OAEP-256 or RSA1_5.`);
  }
}

/** Encrypts (or wraps) with the public half: OAEP-SHA1, OAEP-SHA256 (MGF1-SHA256) or PKCS#1 v1.5. */
export function rsaEncrypt(jwk: JsonWebKey, alg: string, plaintext: Buffer): Buffer {
  checkEncryptionAlg(alg);
  const k = modulusBytes(jwk);
  const overhead = alg === "RSA1_5" ? 11 : alg === "RSA-OAEP" ? 42 : 66;
  if (plaintext.length > k - overhead) throw kvErrors.badParameter(`The value is too long for ${alg} with a ${k * 8}-bit key (at most ${k - overhead} bytes).`);
  const key = publicKeyOf(jwk);
  if (alg === "RSA1_5") return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plaintext);
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" }, plaintext);
}

/** Decrypts (or unwraps) with the private half. */
export function rsaDecrypt(jwk: JsonWebKey, alg: string, ciphertext: Buffer): Buffer {
  checkEncryptionAlg(alg);
  const k = modulusBytes(jwk);
  if (ciphertext.length !== k) throw kvErrors.badParameter(`The ciphertext must be ${k} bytes for a ${k * 8}-bit key.`);
  const key = privateKeyOf(jwk);
  try {
    if (alg === "RSA1_5") return pkcs1v15Decrypt(key, ciphertext);
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" }, ciphertext);
  } catch {
    throw kvErrors.badParameter("The value could not be decrypted with this key and algorithm.");
  }
}

/**
 * PKCS#1 v1.5 decryption by hand: Node 20 refuses RSA_PKCS1_PADDING for private decryption
 * (CVE-2023-46809, Marvin attack) unless the process runs with --security-revert. The raw RSA
 * result is checked for `00 02 PS(≥8 non-zero) 00 M` scanning every byte, so the time does
 * not depend on where the padding ends.
 */
function pkcs1v15Decrypt(key: KeyObject, ciphertext: Buffer): Buffer {
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  let good = (em[0] === 0 ? 1 : 0) & (em[1] === 2 ? 1 : 0);
  let separator = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  good &= separator >= 10 ? 1 : 0;
  if (!good) throw new Error("padding");
  return Buffer.from(em.subarray(separator + 1));
}

const hashOf = { "256": "sha256", "384": "sha384", "512": "sha512" } as const;
/** DER prefixes of the DigestInfo that PKCS#1 v1.5 signatures wrap around the digest. */
const digestInfo = {
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

function signatureScheme(alg: string): { pss: boolean; hash: "sha256" | "sha384" | "sha512" } {
  if (!(RSA_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg)) {
    throw kvErrors.badParameter(`The algorithm '${alg}' is not supported for RSA keys. Use RS256, RS384, RS512, PS256, PS384 or PS512.`);
  }
  return { pss: alg.startsWith("PS"), hash: hashOf[alg.slice(2) as keyof typeof hashOf] };
}

/** Signs a digest (Key Vault signs the hash the client computed, not the message). */
export function rsaSign(jwk: JsonWebKey, alg: string, digest: Buffer): Buffer {
  const { pss, hash } = signatureScheme(alg);
  const hashLength = createHash(hash).digest().length;
  if (digest.length !== hashLength) throw kvErrors.badParameter(`The digest must be ${hashLength} bytes for ${alg}.`);
  const key = privateKeyOf(jwk);
  if (!pss) return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([digestInfo[hash], digest]));
  const bits = (key.asymmetricKeyDetails?.modulusLength ?? modulusBytes(jwk) * 8) - 1;
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(digest, hash, bits, modulusBytes(jwk)));
}

export function rsaVerify(jwk: JsonWebKey, alg: string, digest: Buffer, signature: Buffer): boolean {
  const { pss, hash } = signatureScheme(alg);
  if (signature.length !== modulusBytes(jwk)) return false;
  const key = publicKeyOf(jwk);
  try {
    if (!pss) {
      const expected = Buffer.concat([digestInfo[hash], digest]);
      const actual = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    }
    const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
    const bits = (key.asymmetricKeyDetails?.modulusLength ?? modulusBytes(jwk) * 8) - 1;
    return pssVerify(digest, em, hash, bits);
  } catch {
    return false;
  }
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; Buffer.concat(out).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS encoding (RFC 8017 §9.1.1) with salt length = hash length, as Key Vault uses. */
function pssEncode(mHash: Buffer, hash: string, emBits: number, k: number): Buffer {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const dbMask = mgf1(h, db.length, hash);
  const masked = Buffer.from(db.map((b, i) => b ^ dbMask[i]!));
  masked[0] = masked[0]! & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([masked, h, Buffer.from([0xbc])]);
  return Buffer.concat([Buffer.alloc(k - em.length), em]);
}

function pssVerify(mHash: Buffer, raw: Buffer, hash: string, emBits: number): boolean {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const em = raw.subarray(raw.length - emLen);
  if (em[em.length - 1] !== 0xbc) return false;
  const masked = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(h, masked.length, hash);
  const db = Buffer.from(masked.map((b, i) => b ^ mask[i]!));
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const ps = db.subarray(0, emLen - 2 * hLen - 2);
  if (ps.some((b) => b !== 0) || db[emLen - 2 * hLen - 2] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(expected, h);
}
