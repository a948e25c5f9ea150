/** One-shot sealing, and the option handling shared with sealStream. */
import { cached as fromCache, checkCache, type CachedMaterial } from "./cache.js";
import { DEFAULT_FRAME_LENGTH, MAX_FRAME_LENGTH, MESSAGE_ID_LENGTH, OFFSET_MESSAGE_ID } from "./constants.js";
import { encodeContextKeyed } from "./context.js";
import { EnvelopeOptionsError, throwIfAborted } from "./errors.js";
import { bodyLengthFor, FrameCipher, sealBody } from "./frames.js";
import { bodyAadPrefix, encodeKeyBlockEntries, headerLengthFor, writeHeader } from "./header.js";
import { buildKeyBlock, deriveKeyMaterial, deriveMessageKeys, destroyKeyMaterial, newDataKey, writeMessageId, type KeyMaterial } from "./kdf.js";
import { checkRootKeys, resolveMinRootKeys, wrapUnderAll } from "./root-keys.js";
import type { RootKey, SealOptions } from "./types.js";

export interface PreparedSeal {
  rootKeys: readonly RootKey[];
  contextBytes: Uint8Array;
  /** contextBytes as a latin1 string (cache partition key). */
  contextKey: string;
  frameLength: number;
  signal: AbortSignal | undefined;
}

export function prepareSeal(options: SealOptions, defaultFrameLength: number): PreparedSeal {
  if (typeof options !== "object" || options === null) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "seal needs an options object with rootKeys.");
  }
  const rootKeys = checkRootKeys(options.rootKeys, resolveMinRootKeys(options.minRootKeys), "rootKeys");
  const frameLength = options.frameLength ?? defaultFrameLength;
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > MAX_FRAME_LENGTH) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", `frameLength must be an integer from 1 to ${MAX_FRAME_LENGTH}.`);
  }
  const { bytes, key } = encodeContextKeyed(options.context);
  return { rootKeys, contextBytes: bytes, contextKey: key, frameLength, signal: options.abortSignal };
}

/** A fresh data key, wrapped under every root key, with its authenticated key block. */
export async function createSealMaterial(rootKeys: readonly RootKey[], signal: AbortSignal | undefined): Promise<{ material: KeyMaterial; keyBlock: Uint8Array }> {
  const dataKey = newDataKey();
  try {
    const wrapped = await wrapUnderAll(dataKey, rootKeys, signal);
    const material = deriveKeyMaterial(dataKey);
    return { material, keyBlock: buildKeyBlock(material.macKey, encodeKeyBlockEntries(wrapped)) };
  } finally {
    dataKey.fill(0);
  }
}

/** Message id, content key and commitment for one message; the header is written into `out`. */
export function startMessage(p: PreparedSeal, m: CachedMaterial, out: Uint8Array): { frames: FrameCipher; headerLength: number } {
  // Drawn straight into its place in the header: no separate buffer per message.
  writeMessageId(out, OFFSET_MESSAGE_ID);
  const messageId = out.subarray(OFFSET_MESSAGE_ID, OFFSET_MESSAGE_ID + MESSAGE_ID_LENGTH);
  const okm = deriveMessageKeys(m.material, messageId);
  const commitment = okm.subarray(32, 64);
  const headerLength = writeHeader(out, messageId, p.frameLength, commitment, p.contextBytes, m.keyBlock!);
  const frames = new FrameCipher(okm.subarray(0, 32), bodyAadPrefix(messageId, p.frameLength, commitment, p.contextBytes));
  return { frames, headerLength };
}

function sealWith(plaintext: Uint8Array, p: PreparedSeal, m: CachedMaterial): Uint8Array {
  const out = Buffer.allocUnsafe(headerLengthFor(p.contextBytes, m.keyBlock!) + bodyLengthFor(plaintext.length, p.frameLength));
  const { frames, headerLength } = startMessage(p, m, out);
  try {
    sealBody(frames, p.frameLength, plaintext, out, headerLength);
  } finally {
    frames.destroy();
  }
  return out;
}

// The last partition key, reused while the root key ids and the context stay the same: a string
// seen before has its hash cached, so a cache hit does not rebuild and rehash ~100 characters.
let lastIds: readonly string[] = [];
let lastContextKey = "";
let lastKey = "";

/** Partition of the seal-side cache: a data key is shared only by the same root keys and context. */
function cacheKey(p: PreparedSeal): string {
  const keys = p.rootKeys;
  let same = keys.length === lastIds.length && p.contextKey === lastContextKey;
  for (let i = 0; same && i < keys.length; i++) same = keys[i]!.id === lastIds[i];
  if (same) return lastKey;
  let key = "";
  for (const k of keys) key += `${k.id.length}:${k.id}`;
  lastIds = keys.map((k) => k.id);
  lastContextKey = p.contextKey;
  lastKey = `${key}|${p.contextKey}`;
  return lastKey;
}

/**
 * Encrypts `plaintext` under a fresh (or cached) data key wrapped by every root key.
 * Returns the complete envelope (see docs/envelope-format.md).
 */
export function seal(plaintext: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  // Not `async`: a cache hit resolves without extra promise hops (it matters for small messages).
  try {
    if (!(plaintext instanceof Uint8Array)) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "seal: plaintext must be a Uint8Array.");
    const p = prepareSeal(options, DEFAULT_FRAME_LENGTH);
    throwIfAborted(p.signal);
    bodyLengthFor(plaintext.length, p.frameLength); // frame-count check before any key work
    const cache = checkCache(options.cache);
    const hit = cache && fromCache(cache, "seal", cacheKey(p), plaintext.length, () => createSealMaterial(p.rootKeys, p.signal), (m) => sealWith(plaintext, p, m), p.signal);
    return hit ?? sealFresh(plaintext, p);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function sealFresh(plaintext: Uint8Array, p: PreparedSeal): Promise<Uint8Array> {
  const m = await createSealMaterial(p.rootKeys, p.signal);
  try {
    return sealWith(plaintext, p, m);
  } finally {
    destroyKeyMaterial(m.material);
  }
}
