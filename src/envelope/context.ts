/**
 * Canonical encoding of the encryption context: uint16 count, then per pair uint16 key length,
 * key, uint16 value length, value (UTF-8), sorted strictly by key bytes. One map, one encoding,
 * so equality of contexts is equality of bytes.
 */
import { MAX_CONTEXT_BYTES, MAX_CONTEXT_ENTRIES } from "./constants.js";
import { EnvelopeFormatError, EnvelopeOptionsError } from "./errors.js";
import { Reader, writeU16 } from "./reader.js";
import type { EncryptionContext } from "./types.js";

const EMPTY = new Uint8Array([0, 0]);

function invalid(message: string): EnvelopeOptionsError {
  return new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_CONTEXT", message);
}

function toUtf8(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  // Lone surrogates become U+FFFD in UTF-8; the round trip would not be exact.
  if (bytes.toString("utf8") !== value) throw invalid(`The encryption context ${what} is not well-formed Unicode.`);
  return bytes;
}

interface Memo {
  entries: [string, string][];
  bytes: Uint8Array;
  /** The bytes as a latin1 string, for cache keys. */
  key: string;
  /** A frozen copy of the pairs (what a header holding these bytes decodes to), made on first use. */
  context?: Readonly<Record<string, string>>;
}

const EMPTY_MEMO: Memo = { entries: [], bytes: EMPTY, key: "", context: Object.freeze({}) };

// Callers usually pass the same context object again and again; re-encoding it on every small
// message is measurable. The memo is checked against the object's current contents.
const memo = new WeakMap<object, Memo>();

function unchanged(context: EncryptionContext, m: Memo): boolean {
  const keys = Object.keys(context);
  if (keys.length !== m.entries.length) return false;
  for (const [k, v] of m.entries) if (context[k] !== v || !Object.hasOwn(context, k)) return false;
  return true;
}

/** encodeContext plus a string form of the bytes (for cache keys). */
export function encodeContextKeyed(context: EncryptionContext | undefined): Memo {
  if (context === undefined) return EMPTY_MEMO;
  const m = typeof context === "object" && context !== null ? memo.get(context) : undefined;
  if (m !== undefined && unchanged(context, m)) return m;
  const bytes = encodeContext(context);
  const fresh: Memo = { entries: Object.entries(context), bytes, key: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1") };
  memo.set(context, fresh);
  return fresh;
}

/** Validates and encodes a context. Throws EnvelopeOptionsError(ERR_ENVELOPE_INVALID_CONTEXT). */
export function encodeContext(context: EncryptionContext | undefined): Uint8Array {
  if (context === undefined) return EMPTY;
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw invalid("The encryption context must be an object mapping strings to strings.");
  }
  const keys = Object.keys(context);
  if (keys.length === 0) return EMPTY;
  if (keys.length > MAX_CONTEXT_ENTRIES) throw invalid(`The encryption context has more than ${MAX_CONTEXT_ENTRIES} entries.`);
  let size = 2;
  let surrogates = false;
  for (const key of keys) {
    const value = context[key];
    if (key.length === 0) throw invalid("Encryption context keys must not be empty.");
    if (typeof value !== "string") throw invalid(`The encryption context value of "${key}" is not a string.`);
    surrogates ||= SURROGATE.test(key) || SURROGATE.test(value);
    size += 4 + Buffer.byteLength(key) + Buffer.byteLength(value);
    if (size > MAX_CONTEXT_BYTES) throw invalid(`The encoded encryption context exceeds ${MAX_CONTEXT_BYTES} bytes.`);
  }
  return surrogates ? encodeCareful(context, keys, size) : encodeFast(context, keys, size);
}

// Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
const SURROGATE = /[\uD800-\uDFFF]/;

function encodeFast(context: EncryptionContext, keys: string[], size: number): Uint8Array {
  keys.sort();
  const out = Buffer.allocUnsafe(size);
  let at = writeU16(out, 0, keys.length);
  for (const key of keys) {
    const k = out.write(key, at + 2, "utf8");
    writeU16(out, at, k);
    at += 2 + k;
    const v = out.write(context[key]!, at + 2, "utf8");
    writeU16(out, at, v);
    at += 2 + v;
  }
  return out;
}

function encodeCareful(context: EncryptionContext, keys: string[], size: number): Uint8Array {
  const pairs = keys.map((key): [Buffer, Buffer] => [toUtf8(key, "key"), toUtf8(context[key]!, `value of "${key}"`)]);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const out = new Uint8Array(size);
  let at = writeU16(out, 0, pairs.length);
  for (const [k, v] of pairs) {
    at = writeU16(out, at, k.length);
    out.set(k, at);
    at = writeU16(out, at + k.length, v.length);
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/** Decodes the context block at `reader.pos`; validates canonical form. */
export function decodeContext(reader: Reader): { context: Record<string, string>; bytes: Uint8Array } {
  const start = reader.pos;
  const count = reader.u16();
  if (count > MAX_CONTEXT_ENTRIES) {
    throw new EnvelopeFormatError("ERR_ENVELOPE_LIMIT_EXCEEDED", `The envelope context has ${count} entries (limit ${MAX_CONTEXT_ENTRIES}).`);
  }
  const entries: [string, string][] = [];
  let previous: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const keyLength = reader.u16();
    if (keyLength === 0) throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", "The envelope context has an empty key.");
    const keyBytes = reader.bytes.subarray(reader.pos, reader.pos + keyLength);
    const key = reader.utf8(keyLength, "context key");
    if (previous !== undefined && Buffer.compare(previous, keyBytes) >= 0) {
      throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", "The envelope context keys are not in strictly ascending order.");
    }
    previous = keyBytes;
    const value = reader.utf8(reader.u16(), "context value");
    entries.push([key, value]);
    if (reader.pos - start > MAX_CONTEXT_BYTES) {
      throw new EnvelopeFormatError("ERR_ENVELOPE_LIMIT_EXCEEDED", `The envelope context exceeds ${MAX_CONTEXT_BYTES} bytes.`);
    }
  }
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return { context: Object.fromEntries(entries), bytes: reader.bytes.subarray(start, reader.pos) };
}

/** The expected-context hint for parseHeader: the encoding and what it decodes to. */
export function expectedContext(context: EncryptionContext): { bytes: Uint8Array; context: Readonly<Record<string, string>> } {
  const m = encodeContextKeyed(context);
  // fromEntries defines own properties, as decodeContext does.
  m.context ??= Object.freeze(Object.fromEntries(m.entries));
  return m as Memo & { context: Readonly<Record<string, string>> };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
