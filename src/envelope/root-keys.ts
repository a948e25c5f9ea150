/** Validating root key lists, wrapping a data key under all of them, and id matching. */
import { DATA_KEY_LENGTH } from "./constants.js";
import { EnvelopeAbortError, EnvelopeOptionsError, RootKeyError, throwIfAborted } from "./errors.js";
import type { RootKey, WrappedKey } from "./types.js";

/**
 * True when root key `rootKeyId` may unwrap an entry wrapped under `entryKeyId`: the same id, or
 * a versionless id and the entry's id is that id plus one `/version` segment.
 */
export function matchesKeyId(rootKeyId: string, entryKeyId: string): boolean {
  if (entryKeyId === rootKeyId) return true;
  const base = rootKeyId.endsWith("/") ? rootKeyId.slice(0, -1) : rootKeyId;
  return (
    entryKeyId.length > base.length + 1 &&
    entryKeyId.charCodeAt(base.length) === 0x2f &&
    entryKeyId.startsWith(base) &&
    entryKeyId.indexOf("/", base.length + 1) === -1
  );
}

function invalid(code: "ERR_ENVELOPE_INVALID_OPTIONS" | "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS", message: string) {
  return new EnvelopeOptionsError(code, message);
}

/** Checks a root key list: shape, unique ids, at least `min` keys. */
/** The first id listed twice. Usually a handful of keys: a scan beats building a Set per call. */
function listedTwice(keys: readonly RootKey[]): string | undefined {
  if (keys.length > 16) {
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k.id)) return k.id;
      seen.add(k.id);
    }
    return undefined;
  }
  for (let i = 1; i < keys.length; i++) for (let j = 0; j < i; j++) if (keys[j]!.id === keys[i]!.id) return keys[i]!.id;
  return undefined;
}

export function checkRootKeys(rootKeys: unknown, min: number, name: string): readonly RootKey[] {
  if (!Array.isArray(rootKeys)) throw invalid("ERR_ENVELOPE_INVALID_OPTIONS", `${name} must be an array of root keys.`);
  for (let i = 0; i < rootKeys.length; i++) {
    const key: unknown = rootKeys[i];
    const k = key as Partial<RootKey> | null;
    if (typeof k?.id !== "string" || k.id.length === 0 || typeof k.wrapKey !== "function" || typeof k.unwrapKey !== "function") {
      throw invalid("ERR_ENVELOPE_INVALID_OPTIONS", `${name} holds something that is not a RootKey ({ id, wrapKey, unwrapKey }).`);
    }
  }
  const twice = listedTwice(rootKeys as readonly RootKey[]);
  if (twice !== undefined) throw invalid("ERR_ENVELOPE_INVALID_OPTIONS", `${name} lists root key "${twice}" twice.`);
  if (rootKeys.length < min) {
    throw invalid(
      "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS",
      `${name} has ${rootKeys.length} root key(s); at least ${min} are required` +
        (min > 1 ? " so the data stays recoverable if one key is lost (pass minRootKeys: 1 to allow one)." : "."),
    );
  }
  return rootKeys as readonly RootKey[];
}

/** Resolves `minRootKeys`: default 2, explicit integer ≥ 1 otherwise. */
export function resolveMinRootKeys(value: number | undefined): number {
  if (value === undefined) return 2;
  if (!Number.isInteger(value) || value < 1) {
    throw invalid("ERR_ENVELOPE_INVALID_OPTIONS", "minRootKeys must be an integer of at least 1.");
  }
  return value;
}

async function wrapOne(rootKey: RootKey, dataKey: Uint8Array, signal: AbortSignal | undefined): Promise<WrappedKey> {
  // Each implementation gets its own copy, so one cannot alter what the others see.
  const copy = new Uint8Array(dataKey);
  let wrapped: WrappedKey;
  try {
    wrapped = await rootKey.wrapKey(copy, signal ? { abortSignal: signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw new EnvelopeAbortError(signal.reason);
    throw new RootKeyError("ERR_ENVELOPE_WRAP_FAILED", `Root key "${rootKey.id}" failed to wrap the data key.`, { cause: error });
  } finally {
    copy.fill(0);
  }
  if (typeof wrapped?.keyId !== "string" || !matchesKeyId(rootKey.id, wrapped.keyId)) {
    throw new RootKeyError("ERR_ENVELOPE_WRAP_FAILED", `Root key "${rootKey.id}" returned a wrapped key whose keyId is not its id or a version of it.`);
  }
  const enc = wrapped.encryptedKey;
  if (enc instanceof Uint8Array && enc.length === DATA_KEY_LENGTH && Buffer.compare(enc, dataKey) === 0) {
    // A broken stub that "wraps" by copying would otherwise put the key in clear in the header.
    throw new RootKeyError("ERR_ENVELOPE_WRAP_FAILED", `Root key "${rootKey.id}" returned the data key unencrypted.`);
  }
  return { keyId: wrapped.keyId, algorithm: wrapped.algorithm, encryptedKey: enc };
}

/** Wraps `dataKey` under every root key, in parallel, keeping the given order. */
export async function wrapUnderAll(dataKey: Uint8Array, rootKeys: readonly RootKey[], signal: AbortSignal | undefined): Promise<WrappedKey[]> {
  throwIfAborted(signal);
  const wrapped = await Promise.all(rootKeys.map((key) => wrapOne(key, dataKey, signal)));
  // "k" and "k/<version>" are two ids for one key: two entries under it add no second key.
  const ids = new Set<string>();
  for (const [i, w] of wrapped.entries()) {
    if (ids.has(w.keyId)) {
      throw invalid("ERR_ENVELOPE_INVALID_OPTIONS", `Root key "${rootKeys[i]!.id}" wrapped under "${w.keyId}" like an earlier root key: they are the same key; list each key once.`);
    }
    ids.add(w.keyId);
  }
  return wrapped;
}
