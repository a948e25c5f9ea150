/**
 * Key schedule (RFC 5869 HKDF with SHA-512, written out with HMAC so the per-data-key extract
 * step can be cached and each message costs one HMAC):
 *
 *   prk        = HKDF-Extract(salt = "customer-key/envelope/v1", ikm = dataKey)
 *   okm        = HKDF-Expand(prk, "customer-key/envelope/v1 message" || suite || messageId, 64)
 *   contentKey = okm[0..32]   commitment = okm[32..64]
 *   macKey     = HKDF-Expand(prk, "customer-key/envelope/v1 key-block", 32)
 */
import { createHmac, hash, timingSafeEqual } from "node:crypto";
import {
  COMMITMENT_LENGTH,
  DATA_KEY_LENGTH,
  HKDF_INFO_KEY_BLOCK,
  HKDF_INFO_MESSAGE,
  HKDF_SALT,
  KEY_BLOCK_TAG_LENGTH,
  MESSAGE_ID_LENGTH,
  SUITE_V1,
} from "./constants.js";
import { RandomPool } from "./random.js";

/** Everything derived from one data key that does not depend on the message. */
export interface KeyMaterial {
  readonly dataKey: Buffer;
  readonly prk: Buffer;
  readonly macKey: Buffer;
  /** HMAC-SHA-512 pads of prk: prk ^ ipad (128 bytes), then prk ^ opad (128 bytes). */
  readonly prkPads: Buffer;
}

const SHA512_BLOCK = 128;

/** RFC 2104 pads of a key no longer than one SHA-512 block, in a buffer of their own. */
function hmacPads(key: Buffer): Buffer {
  const pads = Buffer.allocUnsafeSlow(2 * SHA512_BLOCK);
  for (let i = 0; i < SHA512_BLOCK; i++) {
    const k = i < key.length ? key[i]! : 0;
    pads[i] = k ^ 0x36;
    pads[SHA512_BLOCK + i] = k ^ 0x5c;
  }
  return pads;
}

const ONE = Buffer.from([1]);
const SUITE_BYTES = Buffer.from([SUITE_V1 >>> 8, SUITE_V1 & 0xff]);

export function deriveKeyMaterial(dataKey: Uint8Array): KeyMaterial {
  // Own copy outside Node's shared Buffer pool, zeroed by destroyKeyMaterial.
  const key = Buffer.allocUnsafeSlow(DATA_KEY_LENGTH);
  key.set(dataKey);
  const prk = createHmac("sha512", HKDF_SALT).update(key).digest();
  const t1 = createHmac("sha512", prk).update(HKDF_INFO_KEY_BLOCK).update(ONE).digest();
  // Own 32-byte copy: a subarray would leave the other half of T(1) unzeroed by destroyKeyMaterial.
  const macKey = Buffer.allocUnsafeSlow(32);
  t1.copy(macKey, 0, 0, 32);
  t1.fill(0);
  return { dataKey: key, prk, macKey, prkPads: hmacPads(prk) };
}

export function destroyKeyMaterial(material: KeyMaterial): void {
  material.dataKey.fill(0);
  material.prk.fill(0);
  material.macKey.fill(0);
  material.prkPads.fill(0);
}

// HKDF-Expand's first block for a message is HMAC-SHA-512(prk, info || 0x01), with info =
// HKDF_INFO_MESSAGE || suite || messageId. Computed as RFC 2104 spells it out, two one-shot
// crypto.hash calls over scratch buffers that start with prk's pads: measured 2.3 µs against
// 2.8-3.3 µs for createHmac (a crypto object per message, key setup included). Both scratch
// buffers hold key-derived bytes only inside deriveMessageKeys, which zeroes them before it returns.
const INFO_LENGTH = HKDF_INFO_MESSAGE.length + 2 + MESSAGE_ID_LENGTH + 1;
const inner = Buffer.alloc(SHA512_BLOCK + INFO_LENGTH);
const outer = Buffer.alloc(SHA512_BLOCK + 64);
const INFO_AT = SHA512_BLOCK;
const MESSAGE_ID_AT = INFO_AT + HKDF_INFO_MESSAGE.length + 2;

function writeInfo(): void {
  inner.set(HKDF_INFO_MESSAGE, INFO_AT);
  inner.set(SUITE_BYTES, INFO_AT + HKDF_INFO_MESSAGE.length);
  inner[inner.length - 1] = 1;
}
writeInfo();

/** Returns okm: bytes 0..32 are the content key, 32..64 the commitment. */
export function deriveMessageKeys(material: KeyMaterial, messageId: Uint8Array): Buffer {
  const pads = material.prkPads;
  pads.copy(inner, 0, 0, SHA512_BLOCK);
  inner.set(messageId, MESSAGE_ID_AT);
  const innerHash = hash("sha512", inner, "buffer");
  inner.fill(0, 0, SHA512_BLOCK);
  pads.copy(outer, 0, SHA512_BLOCK, 2 * SHA512_BLOCK);
  innerHash.copy(outer, SHA512_BLOCK);
  innerHash.fill(0);
  const okm = hash("sha512", outer, "buffer");
  outer.fill(0);
  return okm;
}

/** Constant-time comparison of the derived commitment (okm[32..64]) with the stored one. */
export function commitmentMatches(okm: Buffer, stored: Uint8Array): boolean {
  if (stored.length !== COMMITMENT_LENGTH) return false;
  // timingSafeEqual's way, without the view it needs of okm's second half (one per message):
  // every byte is looked at, whatever the first difference.
  let diff = 0;
  for (let i = 0; i < COMMITMENT_LENGTH; i++) diff |= okm[32 + i]! ^ stored[i]!;
  return diff === 0;
}

/** HMAC-SHA-256 over the key block entries (count byte + entries). */
export function keyBlockTag(macKey: Buffer, entries: Uint8Array): Buffer {
  return createHmac("sha256", macKey).update(entries).digest();
}

export function keyBlockTagMatches(macKey: Buffer, entries: Uint8Array, tag: Uint8Array): boolean {
  return tag.length === KEY_BLOCK_TAG_LENGTH && timingSafeEqual(keyBlockTag(macKey, entries), tag);
}

/** Entries + tag, ready to be copied into headers. */
export function buildKeyBlock(macKey: Buffer, entries: Uint8Array): Uint8Array {
  const out = new Uint8Array(entries.length + KEY_BLOCK_TAG_LENGTH);
  out.set(entries, 0);
  out.set(keyBlockTag(macKey, entries), entries.length);
  return out;
}

// 32 data keys per CSPRNG call, each zeroed in the pool as it is taken.
const dataKeys = new RandomPool(DATA_KEY_LENGTH * 32, true);
// Message ids are public: 256 per call.
const messageIds = new RandomPool(MESSAGE_ID_LENGTH * 256, false);

export function newDataKey(): Buffer {
  // Own allocation outside Node's shared Buffer pool, so callers can zero it.
  const key = Buffer.allocUnsafeSlow(DATA_KEY_LENGTH);
  dataKeys.fill(key, 0, DATA_KEY_LENGTH);
  return key;
}

/** Writes a fresh random message id into `out` at `offset`. */
export function writeMessageId(out: Uint8Array, offset: number): void {
  messageIds.fill(out, offset, MESSAGE_ID_LENGTH);
}

export function assertDataKey(key: unknown): key is Uint8Array {
  return key instanceof Uint8Array && key.length === DATA_KEY_LENGTH;
}
