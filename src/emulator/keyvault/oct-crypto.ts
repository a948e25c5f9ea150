import { createCipheriv, createDecipheriv, randomBytes, type JsonWebKey } from "node:crypto";
import { kvErrors } from "./errors.js";

/**
 * Symmetric (`oct`, `oct-HSM`) key operations: AES key wrap (A128KW, A192KW, A256KW, RFC 3394),
 * AES-GCM (the service picks the 12-byte IV and returns it with the tag) and AES-CBC (the client
 * sends the IV; `…CBCPAD` adds PKCS#7 padding). The algorithm's key size must match the key's.
 */

export interface SymmetricResult {
  value: Buffer;
  iv?: Buffer;
  tag?: Buffer;
  aad?: Buffer;
}

export interface SymmetricParameters {
  iv?: Buffer;
  aad?: Buffer;
  tag?: Buffer;
}

const WRAP = /^A(128|192|256)KW$/;
const ENCRYPTION = /^A(128|192|256)(GCM|CBC|CBCPAD)$/;

function keyOf(jwk: JsonWebKey, bits: string, alg: string): Buffer {
  const key = Buffer.from(jwk.k ?? "", "base64url");
  if (key.length * 8 !== Number(bits)) throw kvErrors.badParameter(`The algorithm '${alg}' needs a ${bits}-bit key; this key has ${key.length * 8} bits.`);
  return key;
}

/** wrapKey / unwrapKey with AES key wrap. */
export function octWrap(jwk: JsonWebKey, alg: string, value: Buffer, unwrap: boolean): Buffer {
  const m = WRAP.exec(alg);
  if (!m) throw kvErrors.badParameter(`The algorithm '${alg}' is not supported for wrapping with symmetric keys. Use A128KW, A192KW or A256KW.`);
  const key = keyOf(jwk, m[1]!, alg);
  const cipherName = `id-aes${m[1]}-wrap`;
  const iv = Buffer.from("a6a6a6a6a6a6a6a6", "hex");
  if (!unwrap) {
    if (value.length < 16 || value.length % 8 !== 0) throw kvErrors.badParameter("The key to wrap must be a multiple of 8 bytes, at least 16.");
    const cipher = createCipheriv(cipherName, key, iv);
    return Buffer.concat([cipher.update(value), cipher.final()]);
  }
  try {
    const decipher = createDecipheriv(cipherName, key, iv);
    return Buffer.concat([decipher.update(value), decipher.final()]);
  } catch {
    throw kvErrors.badParameter("The value could not be unwrapped with this key and algorithm.");
  }
}

/** encrypt / decrypt with AES-GCM or AES-CBC. */
export function octCrypt(jwk: JsonWebKey, alg: string, value: Buffer, decrypt: boolean, p: SymmetricParameters): SymmetricResult {
  const m = ENCRYPTION.exec(alg);
  if (!m) throw kvErrors.badParameter(`The algorithm '${alg}' is not supported for symmetric keys. Use A128GCM, A192GCM, A256GCM, A128CBC(PAD), A192CBC(PAD) or A256CBC(PAD).`);
  const key = keyOf(jwk, m[1]!, alg);
  const mode = m[2]!;
  if (mode === "GCM") {
    if (!decrypt) {
      const iv = randomBytes(12);
      const cipher = createCipheriv(`aes-${m[1]}-gcm` as "aes-256-gcm", key, iv);
      if (p.aad) cipher.setAAD(p.aad);
      const out = Buffer.concat([cipher.update(value), cipher.final()]);
      return { value: out, iv, tag: cipher.getAuthTag(), ...(p.aad ? { aad: p.aad } : {}) };
    }
    if (!p.iv || !p.tag) throw kvErrors.badParameter(`Decrypting with ${alg} needs 'iv' and 'tag'.`);
    try {
      const decipher = createDecipheriv(`aes-${m[1]}-gcm` as "aes-256-gcm", key, p.iv);
      if (p.aad) decipher.setAAD(p.aad);
      decipher.setAuthTag(p.tag);
      return { value: Buffer.concat([decipher.update(value), decipher.final()]) };
    } catch {
      throw kvErrors.badParameter("The value could not be decrypted with this key and algorithm.");
    }
  }
  // An encrypt without IV gets a random one, returned with the result (inferred: @azure/keyvault-keys
  // 4.x means to send one but its check never fires, so the service's answer to none matters).
  const iv = p.iv ?? (decrypt ? undefined : randomBytes(16));
  if (!iv || iv.length !== 16) throw kvErrors.badParameter(`${alg} needs a 16-byte 'iv'.`);
  const padded = mode === "CBCPAD";
  if (!padded && value.length % 16 !== 0) throw kvErrors.badParameter(`${alg} works on whole 16-byte blocks; use ${alg}PAD for other lengths.`);
  try {
    const c = decrypt ? createDecipheriv(`aes-${m[1]}-cbc`, key, iv) : createCipheriv(`aes-${m[1]}-cbc`, key, iv);
    c.setAutoPadding(padded);
    const out = Buffer.concat([c.update(value), c.final()]);
    return decrypt ? { value: out } : { value: out, iv };
  } catch {
    throw kvErrors.badParameter("The value could not be decrypted with this key and algorithm.");
  }
}
