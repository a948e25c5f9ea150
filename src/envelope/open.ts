/** One-shot opening, rewrap and inspect: the operations that start from a complete envelope. */
import { checkCache } from "./cache.js";
import { OFFSET_HEADER_LENGTH, SUITE_V1_NAME } from "./constants.js";
import { encodeContextKeyed, expectedContext, sameBytes } from "./context.js";
import { EnvelopeContextMismatchError, EnvelopeOptionsError, throwIfAborted } from "./errors.js";
import { FrameCipher, openBody, walkBody, type BodyLayout } from "./frames.js";
import { bodyAadPrefix, encodeKeyBlockEntries, parseHeader, resolveLimits, type ParsedHeader } from "./header.js";
import { buildKeyBlock, destroyKeyMaterial } from "./kdf.js";
import { recoverCached, recoverKeys } from "./recover.js";
import { checkRootKeys, resolveMinRootKeys, wrapUnderAll } from "./root-keys.js";
import { writeU32 } from "./reader.js";
import type { EncryptionContext, EnvelopeHeader, EnvelopeLimits, OpenOptions, RewrapOptions } from "./types.js";

function checkBytes(envelope: unknown, fn: string): Uint8Array {
  if (!(envelope instanceof Uint8Array)) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", `${fn}: envelope must be a Uint8Array.`);
  return envelope;
}

function checkOrder(order: unknown): "listed" | "random" {
  if (order === undefined || order === "listed" || order === "random") return order ?? "listed";
  throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", 'order must be "listed" or "random".');
}

/** Throws ERR_ENVELOPE_CONTEXT_MISMATCH unless `expected` (when given) equals the sealed context. */
export function checkContext(expected: EncryptionContext | undefined, header: ParsedHeader): void {
  if (expected === undefined) return;
  if (!sameBytes(encodeContextKeyed(expected).bytes, header.contextBytes)) {
    throw new EnvelopeContextMismatchError("ERR_ENVELOPE_CONTEXT_MISMATCH", "The envelope was sealed with a different encryption context than the one expected.");
  }
}

/** Decrypts an envelope made by `seal` or `sealStream`. */
export function open(envelope: Uint8Array, options: OpenOptions): Promise<Uint8Array> {
  // Not `async`: with a warm cache the whole open runs synchronously and resolves without the
  // promise hops of the key-service path (they showed at 1 KiB).
  try {
    checkBytes(envelope, "open");
    if (typeof options !== "object" || options === null) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "open needs an options object with rootKeys.");
    const rootKeys = checkRootKeys(options.rootKeys, 1, "rootKeys");
    const order = checkOrder(options.order);
    const cache = checkCache(options.cache);
    const signal = options.abortSignal;
    throwIfAborted(signal);
    const expected = options.context === undefined ? undefined : expectedContext(options.context);
    // Structure first: malformed input must not cost a call to a key service.
    const header = parseHeader(envelope, resolveLimits(options.limits), expected);
    const layout = walkBody(envelope, header.headerLength, header.frameLength);
    checkContext(options.context, header);
    const req = { header, rootKeys, order, signal, cache, bytes: layout.plaintextLength, keepMaterial: false };
    const warm = recoverCached(req);
    if (warm !== undefined) return Promise.resolve(openWith(envelope, header, layout, warm.okm));
    return recoverKeys(req).then(({ okm }) => openWith(envelope, header, layout, okm));
  } catch (error) {
    return Promise.reject(error);
  }
}

function openWith(envelope: Uint8Array, header: ParsedHeader, layout: BodyLayout, okm: Buffer): Uint8Array {
  const frames = new FrameCipher(okm.subarray(0, 32), bodyAadPrefix(header.messageId, header.frameLength, header.commitment, header.contextBytes));
  try {
    return openBody(frames, header.frameLength, envelope, header.headerLength, layout);
  } finally {
    frames.destroy();
  }
}

/**
 * Re-wraps the data key under `wrapWith`, replacing every wrapped entry. The body bytes are kept
 * as they are: they authenticate the commitment, not the wrapped entries.
 */
export async function rewrap(envelope: Uint8Array, options: RewrapOptions): Promise<Uint8Array> {
  checkBytes(envelope, "rewrap");
  if (typeof options !== "object" || options === null) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "rewrap needs unwrapWith and wrapWith.");
  const unwrapWith = checkRootKeys(options.unwrapWith, 1, "unwrapWith");
  const wrapWith = checkRootKeys(options.wrapWith, resolveMinRootKeys(options.minRootKeys), "wrapWith");
  const order = checkOrder(options.order);
  const signal = options.abortSignal;
  throwIfAborted(signal);
  const header = parseHeader(envelope, resolveLimits(options.limits));
  walkBody(envelope, header.headerLength, header.frameLength);
  checkContext(options.context, header);
  const { okm, material } = await recoverKeys({ header, rootKeys: unwrapWith, order, signal, cache: undefined, bytes: 0, keepMaterial: true });
  okm.fill(0);
  try {
    const wrapped = await wrapUnderAll(material!.dataKey, wrapWith, signal);
    const keyBlock = buildKeyBlock(material!.macKey, encodeKeyBlockEntries(wrapped));
    const prefixEnd = header.headerLength - header.keyBlock.length;
    const body = envelope.subarray(header.headerLength);
    const out = Buffer.allocUnsafe(prefixEnd + keyBlock.length + body.length);
    out.set(envelope.subarray(0, prefixEnd), 0);
    out.set(keyBlock, prefixEnd);
    out.set(body, prefixEnd + keyBlock.length);
    writeU32(out, OFFSET_HEADER_LENGTH, prefixEnd + keyBlock.length);
    return out;
  } finally {
    destroyKeyMaterial(material!);
  }
}

/** Reads an envelope's header (and checks its frame structure) without any key. */
export function inspect(envelope: Uint8Array, options?: { limits?: EnvelopeLimits }): EnvelopeHeader {
  checkBytes(envelope, "inspect");
  const header = parseHeader(envelope, resolveLimits(options?.limits));
  const layout = walkBody(envelope, header.headerLength, header.frameLength);
  return {
    version: header.version,
    suite: header.suite,
    suiteName: SUITE_V1_NAME,
    messageId: new Uint8Array(header.messageId),
    context: { ...header.context },
    wrappedKeys: header.wrappedKeys.map((w) => ({ keyId: w.keyId, algorithm: w.algorithm, encryptedKey: new Uint8Array(w.encryptedKey) })),
    frameLength: header.frameLength,
    commitment: new Uint8Array(header.commitment),
    headerLength: header.headerLength,
    bodyOffset: header.headerLength,
    bodyLength: envelope.length - header.headerLength,
    frameCount: layout.frameCount,
    plaintextLength: layout.plaintextLength,
  };
}
