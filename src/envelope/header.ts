/** Header encoding and bounded parsing (format v1; see docs/envelope-format.md). */
import * as c from "./constants.js";
import { decodeContext } from "./context.js";
import { EnvelopeFormatError, EnvelopeOptionsError, RootKeyError } from "./errors.js";
import { Reader, readU32, writeU16, writeU32 } from "./reader.js";
import type { EnvelopeLimits, WrappedKey } from "./types.js";

export interface ParsedHeader {
  version: number;
  suite: number;
  headerLength: number;
  messageId: Uint8Array;
  frameLength: number;
  commitment: Uint8Array;
  context: Record<string, string>;
  contextBytes: Uint8Array;
  /** May be shared between parses of the same key block: never mutate. */
  wrappedKeys: readonly WrappedKey[];
  /** Count byte + entries (what the key block tag covers), then the tag: see keyBlockEntries/keyBlockTag. */
  keyBlock: Uint8Array;
}

/** The bytes the key block tag covers (count byte + entries). A view, made only when needed. */
export function keyBlockEntries(header: ParsedHeader): Uint8Array {
  return header.keyBlock.subarray(0, header.keyBlock.length - c.KEY_BLOCK_TAG_LENGTH);
}

/** The key block tag. A view, made only when needed. */
export function keyBlockTag(header: ParsedHeader): Uint8Array {
  return header.keyBlock.subarray(header.keyBlock.length - c.KEY_BLOCK_TAG_LENGTH);
}

/** A caller's expected context: its canonical encoding and a frozen copy of its pairs. */
export interface ExpectedContext {
  bytes: Uint8Array;
  context: Readonly<Record<string, string>>;
}

export interface ResolvedLimits {
  maxWrappedKeys: number;
  maxHeaderLength: number;
  maxFrameLength: number;
}

function limit(value: number | undefined, fallback: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", `limits.${name} must be an integer from 1 to ${max}.`);
  }
  return value;
}

// The defaults, resolved once: most callers pass no limits.
let defaultLimits: ResolvedLimits | undefined;

export function resolveLimits(limits: EnvelopeLimits | undefined): ResolvedLimits {
  if (limits === undefined) return (defaultLimits ??= Object.freeze(resolveLimits({})));
  return {
    maxWrappedKeys: limit(limits?.maxWrappedKeys, c.DEFAULT_MAX_WRAPPED_KEYS, c.MAX_WRAPPED_KEYS, "maxWrappedKeys"),
    maxHeaderLength: limit(limits?.maxHeaderLength, c.DEFAULT_MAX_HEADER_LENGTH, c.MAX_HEADER_LENGTH, "maxHeaderLength"),
    maxFrameLength: limit(limits?.maxFrameLength, c.MAX_FRAME_LENGTH, c.MAX_FRAME_LENGTH, "maxFrameLength"),
  };
}

function formatError(message: string): EnvelopeFormatError {
  return new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", message);
}

/**
 * Checks version, suite and the declared header length from the first 7 bytes. Returns the
 * header length. Used by the one-shot parser and by the stream to know how much to buffer.
 */
export function readHeaderPrefix(bytes: Uint8Array, limits: ResolvedLimits): number {
  if (bytes.length < 1) throw new EnvelopeFormatError("ERR_ENVELOPE_TRUNCATED", "The envelope is empty.");
  if (bytes[0] !== c.FORMAT_VERSION) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_UNSUPPORTED_VERSION", `Unsupported envelope version ${bytes[0]} (supported: ${c.FORMAT_VERSION}).`);
  }
  if (bytes.length < c.OFFSET_MESSAGE_ID) throw new EnvelopeFormatError("ERR_ENVELOPE_TRUNCATED", "The envelope header is truncated.");
  const suite = (bytes[1]! << 8) | bytes[2]!;
  if (suite !== c.SUITE_V1) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_UNSUPPORTED_SUITE", `Unsupported envelope suite 0x${suite.toString(16).padStart(4, "0")}.`);
  }
  const headerLength = readU32(bytes, c.OFFSET_HEADER_LENGTH);
  if (headerLength < c.FIXED_HEADER_LENGTH + 2 + 1 + c.KEY_BLOCK_TAG_LENGTH) {
    throw formatError(`The envelope header length ${headerLength} is too small.`);
  }
  if (headerLength > limits.maxHeaderLength) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_LIMIT_EXCEEDED", `The envelope header is ${headerLength} bytes (limit ${limits.maxHeaderLength}).`);
  }
  return headerLength;
}

/** True when `bytes` holds `expected` at `at`, entirely before `end`. */
function holdsAt(bytes: Uint8Array, at: number, end: number, expected: Uint8Array): boolean {
  const n = expected.length;
  // Buffer's compare with offsets: no views allocated.
  return at + n <= end && Buffer.prototype.compare.call(expected, bytes, at, at + n, 0, n) === 0;
}

/**
 * The last wrapped-key block parsed, with its entries. Readers open message after message under
 * the same data key, so the same block comes again and again; parsing it (UTF-8 key ids, a
 * Buffer per algorithm name) showed in 1 KiB opens. Holds its own copies: public bytes only.
 */
let lastBlock: { entries: Uint8Array; wrappedKeys: readonly WrappedKey[] } | undefined;

function parseEntries(r: Reader, count: number): WrappedKey[] {
  const wrappedKeys: WrappedKey[] = [];
  for (let i = 0; i < count; i++) {
    const idLength = r.u16();
    if (idLength === 0 || idLength > c.MAX_KEY_ID_LENGTH) throw formatError(`Wrapped key ${i} has an invalid key id length.`);
    const keyId = r.utf8(idLength, "key id");
    const algLength = r.u8();
    if (algLength === 0 || algLength > c.MAX_ALGORITHM_LENGTH) throw formatError(`Wrapped key ${i} has an invalid algorithm length.`);
    const algBytes = r.take(algLength);
    for (const b of algBytes) if (b < 0x21 || b > 0x7e) throw formatError(`Wrapped key ${i} has a non-ASCII algorithm name.`);
    const encLength = r.u16();
    if (encLength === 0 || encLength > c.MAX_ENCRYPTED_KEY_LENGTH) throw formatError(`Wrapped key ${i} has an invalid length.`);
    wrappedKeys.push({ keyId, algorithm: Buffer.from(algBytes).toString("latin1"), encryptedKey: r.take(encLength) });
  }
  return wrappedKeys;
}

/**
 * Parses and validates the header at the start of `bytes`. Never reads past the header.
 * `expectedContext` (a canonical encoding from encodeContext), when the header holds exactly
 * those bytes, is taken without decoding: a canonical encoding is self-delimiting, so decoding
 * would consume exactly it and accept it. Anything else is decoded and checked in full.
 */
export function parseHeader(bytes: Uint8Array, limits: ResolvedLimits, expectedContext?: ExpectedContext): ParsedHeader {
  const headerLength = readHeaderPrefix(bytes, limits);
  if (bytes.length < headerLength) throw new EnvelopeFormatError("ERR_ENVELOPE_TRUNCATED", "The envelope header is truncated.");
  const end = headerLength - c.KEY_BLOCK_TAG_LENGTH;
  // Inside the declared header an overrun means the lengths disagree: a format error.
  const r = new Reader(bytes, c.OFFSET_MESSAGE_ID, end, "ERR_ENVELOPE_FORMAT", "header");
  const messageId = r.take(c.MESSAGE_ID_LENGTH);
  const frameLength = r.u32();
  if (frameLength < 1 || frameLength > c.MAX_FRAME_LENGTH) throw formatError(`The envelope frame length ${frameLength} is invalid.`);
  if (frameLength > limits.maxFrameLength) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_LIMIT_EXCEEDED", `The envelope frame length ${frameLength} exceeds the limit ${limits.maxFrameLength}.`);
  }
  const commitment = r.take(c.COMMITMENT_LENGTH);
  let context: Record<string, string>;
  let contextBytes: Uint8Array;
  if (expectedContext !== undefined && holdsAt(bytes, r.pos, end, expectedContext.bytes)) {
    contextBytes = r.take(expectedContext.bytes.length);
    context = expectedContext.context;
  } else {
    ({ context, bytes: contextBytes } = decodeContext(r));
  }
  const entriesStart = r.pos;
  const count = r.u8();
  if (count === 0) throw formatError("The envelope has no wrapped keys.");
  if (count > limits.maxWrappedKeys) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_LIMIT_EXCEEDED", `The envelope has ${count} wrapped keys (limit ${limits.maxWrappedKeys}).`);
  }
  let wrappedKeys: readonly WrappedKey[];
  const known = lastBlock;
  if (known !== undefined && known.entries.length === end - entriesStart && holdsAt(bytes, entriesStart, end, known.entries)) {
    // The same bytes parse the same way (and passed every check then); the count was checked above.
    wrappedKeys = known.wrappedKeys;
    r.pos = end;
  } else {
    const parsed = parseEntries(r, count);
    if (r.pos !== end) throw formatError("The envelope header length does not match its contents.");
    wrappedKeys = parsed;
    lastBlock = {
      // new Uint8Array(view) copies (Buffer#slice would not).
      entries: new Uint8Array(bytes.subarray(entriesStart, end)),
      wrappedKeys: Object.freeze(parsed.map((w) => Object.freeze({ ...w, encryptedKey: new Uint8Array(w.encryptedKey) }))),
    };
  }
  return {
    version: c.FORMAT_VERSION,
    suite: c.SUITE_V1,
    headerLength,
    messageId,
    frameLength,
    commitment,
    context,
    contextBytes,
    wrappedKeys,
    keyBlock: bytes.subarray(entriesStart, headerLength),
  };
}

function invalidEntry(index: number, why: string): RootKeyError {
  return new RootKeyError("ERR_ENVELOPE_WRAP_FAILED", `Root key #${index} returned an invalid wrapped key: ${why}.`);
}

/** Validates a root key's output and returns its three encoded fields. */
function encodeEntry(w: WrappedKey, index: number): [Buffer, Buffer, Uint8Array] {
  if (typeof w?.keyId !== "string" || typeof w.algorithm !== "string" || !(w.encryptedKey instanceof Uint8Array)) {
    throw invalidEntry(index, "expected { keyId: string, algorithm: string, encryptedKey: Uint8Array }");
  }
  const id = Buffer.from(w.keyId, "utf8");
  if (id.length === 0 || id.length > c.MAX_KEY_ID_LENGTH || id.toString("utf8") !== w.keyId) throw invalidEntry(index, "invalid keyId");
  if (!/^[\x21-\x7e]{1,64}$/.test(w.algorithm)) throw invalidEntry(index, "invalid algorithm name");
  const n = w.encryptedKey.length;
  if (n === 0 || n > c.MAX_ENCRYPTED_KEY_LENGTH) throw invalidEntry(index, "invalid encryptedKey length");
  return [id, Buffer.from(w.algorithm, "latin1"), w.encryptedKey];
}

/** Encodes count + entries (the bytes covered by the key block tag); tag space left off. */
export function encodeKeyBlockEntries(wrapped: readonly WrappedKey[]): Uint8Array {
  if (wrapped.length < 1 || wrapped.length > c.MAX_WRAPPED_KEYS) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", `An envelope holds 1 to ${c.MAX_WRAPPED_KEYS} wrapped keys.`);
  }
  const parts = wrapped.map(encodeEntry);
  let size = 1;
  for (const [id, alg, enc] of parts) size += 2 + id.length + 1 + alg.length + 2 + enc.length;
  const out = new Uint8Array(size);
  out[0] = parts.length;
  let at = 1;
  for (const [id, alg, enc] of parts) {
    at = writeU16(out, at, id.length);
    out.set(id, at);
    at += id.length;
    out[at++] = alg.length;
    out.set(alg, at);
    at = writeU16(out, at + alg.length, enc.length);
    out.set(enc, at);
    at += enc.length;
  }
  return out;
}

/** Total header length for a context block and key block (entries + tag). */
export function headerLengthFor(contextBytes: Uint8Array, keyBlock: Uint8Array): number {
  return c.FIXED_HEADER_LENGTH + contextBytes.length + keyBlock.length;
}

/** Writes the header into `out` at 0 and returns its length. `keyBlock` = entries + tag. */
export function writeHeader(
  out: Uint8Array,
  messageId: Uint8Array,
  frameLength: number,
  commitment: Uint8Array,
  contextBytes: Uint8Array,
  keyBlock: Uint8Array,
): number {
  const length = headerLengthFor(contextBytes, keyBlock);
  out[0] = c.FORMAT_VERSION;
  writeU16(out, 1, c.SUITE_V1);
  writeU32(out, c.OFFSET_HEADER_LENGTH, length);
  out.set(messageId, c.OFFSET_MESSAGE_ID);
  writeU32(out, c.OFFSET_FRAME_LENGTH, frameLength);
  out.set(commitment, c.OFFSET_COMMITMENT);
  out.set(contextBytes, c.OFFSET_CONTEXT);
  out.set(keyBlock, c.OFFSET_CONTEXT + contextBytes.length);
  return length;
}

/**
 * The part of the header every body frame authenticates: version, suite, message id, frame
 * length, commitment, context. Not the header length nor the key block, so `rewrap` can change
 * those without touching the body. 5 spare bytes at the end take sequence number and final flag.
 */
export function bodyAadPrefix(messageId: Uint8Array, frameLength: number, commitment: Uint8Array, contextBytes: Uint8Array): Buffer {
  const aad = Buffer.allocUnsafe(3 + c.MESSAGE_ID_LENGTH + 4 + c.COMMITMENT_LENGTH + contextBytes.length + 5);
  aad[0] = c.FORMAT_VERSION;
  writeU16(aad, 1, c.SUITE_V1);
  aad.set(messageId, 3);
  writeU32(aad, 3 + c.MESSAGE_ID_LENGTH, frameLength);
  aad.set(commitment, 7 + c.MESSAGE_ID_LENGTH);
  aad.set(contextBytes, 7 + c.MESSAGE_ID_LENGTH + c.COMMITMENT_LENGTH);
  return aad;
}
