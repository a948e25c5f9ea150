/**
 * Recovering the data key of a parsed envelope: try every (wrapped entry, matching root key)
 * pair in order, fall over on failure, verify commitment and key block tag, classify the failure
 * when nothing works.
 */
import { randomInt } from "node:crypto";
import { cached as fromCache, cachedNow, type CachedMaterial, type DataKeyCache } from "./cache.js";
import { sameBytes } from "./context.js";
import { DATA_KEY_LENGTH } from "./constants.js";
import {
  EnvelopeAbortError,
  EnvelopeDecryptError,
  EnvelopeIntegrityError,
  RootKeyError,
  isAccessDeniedError,
  throwIfAborted,
  type EnvelopeAttempt,
} from "./errors.js";
import { keyBlockEntries, keyBlockTag, type ParsedHeader } from "./header.js";
import {
  commitmentMatches,
  deriveKeyMaterial,
  deriveMessageKeys,
  destroyKeyMaterial,
  keyBlockTagMatches,
  type KeyMaterial,
} from "./kdf.js";
import { matchesKeyId } from "./root-keys.js";
import type { RootKey, WrappedKey } from "./types.js";

export interface RecoverRequest {
  header: ParsedHeader;
  rootKeys: readonly RootKey[];
  order: "listed" | "random";
  signal: AbortSignal | undefined;
  cache: DataKeyCache | undefined;
  /** Plaintext bytes, for the cache's byte limit. */
  bytes: number;
  /** rewrap needs the data key and MAC key back (copies the caller must zero). */
  keepMaterial: boolean;
}

export interface Recovered {
  /** contentKey = okm[0..32]; zero when done. */
  okm: Buffer;
  material?: KeyMaterial;
}

interface Attempt {
  entry: WrappedKey;
  rootKey: RootKey;
}

function plan(entries: readonly WrappedKey[], rootKeys: readonly RootKey[], order: "listed" | "random"): Attempt[] {
  const attempts: Attempt[] = [];
  for (const entry of entries) {
    for (const rootKey of rootKeys) if (matchesKeyId(rootKey.id, entry.keyId)) attempts.push({ entry, rootKey });
  }
  if (order === "random") {
    for (let i = attempts.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [attempts[i], attempts[j]] = [attempts[j]!, attempts[i]!];
    }
  }
  return attempts;
}

async function unwrap(attempt: Attempt, signal: AbortSignal | undefined): Promise<KeyMaterial> {
  const { entry, rootKey } = attempt;
  // A copy: the implementation must not be able to alter the caller's envelope.
  const wrapped: WrappedKey = { keyId: entry.keyId, algorithm: entry.algorithm, encryptedKey: new Uint8Array(entry.encryptedKey) };
  const raw = await rootKey.unwrapKey(wrapped, signal ? { abortSignal: signal } : undefined);
  if (!(raw instanceof Uint8Array) || raw.length !== DATA_KEY_LENGTH) {
    if (raw instanceof Uint8Array) raw.fill(0);
    throw new RootKeyError("ERR_ROOT_KEY_UNWRAP_FAILED", `Root key "${rootKey.id}" returned a data key of the wrong size for entry "${entry.keyId}".`);
  }
  const material = deriveKeyMaterial(raw);
  raw.fill(0);
  return material;
}

function useMaterial(header: ParsedHeader, keyId: string, cached: CachedMaterial, keep: boolean): Recovered {
  const { material } = cached;
  const okm = deriveMessageKeys(material, header.messageId);
  if (!commitmentMatches(okm, header.commitment)) {
    okm.fill(0);
    throw new EnvelopeIntegrityError(
      "ERR_ENVELOPE_COMMITMENT_MISMATCH",
      `The data key unwrapped from entry "${keyId}" does not match the envelope's key commitment.`,
    );
  }
  // The right data key (by commitment) and a bad tag: the key block was tampered with.
  const known = cached.verifiedKeyBlock;
  if (known === undefined || !sameBytes(known, header.keyBlock)) {
    if (!keyBlockTagMatches(material.macKey, keyBlockEntries(header), keyBlockTag(header))) {
      okm.fill(0);
      throw new EnvelopeIntegrityError("ERR_ENVELOPE_INTEGRITY", "The envelope's wrapped-key block failed authentication: it was modified.");
    }
    cached.verifiedKeyBlock = new Uint8Array(header.keyBlock);
  }
  return keep ? { okm, material: deriveKeyMaterial(material.dataKey) } : { okm };
}

// Open-side cache keys by entry: parseHeader hands out the same entry objects while the same key
// block comes back, so the key string (and its hash) is built once per block, not per message.
const cacheKeys = new WeakMap<WrappedKey, string>();

/** The open-side cache key of a wrapped entry: key id, algorithm and wrapped bytes, all of them. */
export function cacheKey(entry: WrappedKey): string {
  let key = cacheKeys.get(entry);
  if (key === undefined) {
    const enc = Buffer.from(entry.encryptedKey.buffer, entry.encryptedKey.byteOffset, entry.encryptedKey.length).toString("latin1");
    key = `${entry.keyId.length}:${entry.keyId}${entry.algorithm.length}:${entry.algorithm}${enc}`;
    // Only frozen (shared, never-mutated) entries are remembered: a view into a caller's buffer could change.
    if (Object.isFrozen(entry)) cacheKeys.set(entry, key);
  }
  return key;
}

/**
 * The synchronous path for a warm cache: the first wrapped entry that a held root key matches and
 * that has a usable cached data key. Same checks as `useMaterial` always makes (commitment, key
 * block tag). Undefined when nothing usable is cached or the cached key fails its commitment
 * (then `recoverKeys` tries every entry and classifies the failure).
 */
export function recoverCached(req: RecoverRequest): Recovered | undefined {
  const { header, rootKeys, cache } = req;
  if (cache === undefined) return undefined;
  for (const entry of header.wrappedKeys) {
    let held = false;
    for (const rootKey of rootKeys) if ((held = matchesKeyId(rootKey.id, entry.keyId))) break;
    if (!held) continue;
    try {
      const hit = cachedNow(cache, "open", cacheKey(entry), req.bytes, (m) => useMaterial(header, entry.keyId, m, req.keepMaterial));
      if (hit !== undefined) return hit.value;
    } catch (error) {
      if (error instanceof EnvelopeIntegrityError && error.code === "ERR_ENVELOPE_INTEGRITY") throw error;
      return undefined;
    }
  }
  return undefined;
}

async function tryAttempt(req: RecoverRequest, attempt: Attempt): Promise<Recovered> {
  const { header, signal, keepMaterial } = req;
  const use = (cached: CachedMaterial) => useMaterial(header, attempt.entry.keyId, cached, keepMaterial);
  const hit = req.cache && fromCache(req.cache, "open", cacheKey(attempt.entry), req.bytes, async () => ({ material: await unwrap(attempt, signal) }), use, signal);
  if (hit) return hit;
  const material = await unwrap(attempt, signal);
  try {
    return use({ material });  // a throwaway holder: nothing is remembered
  } finally {
    destroyKeyMaterial(material);
  }
}

function summarize(failures: EnvelopeAttempt[]): EnvelopeDecryptError {
  const ids = failures.map((f) => `"${f.keyId}"`).join(", ");
  const options = { cause: new AggregateError(failures.map((f) => f.error), `Every unwrap attempt failed (${ids}).`), attempts: failures };
  if (failures.every((f) => isAccessDeniedError(f.error))) {
    return new EnvelopeDecryptError("ERR_ENVELOPE_REVOKED", `Access to every root key that could open this envelope was denied or revoked (${ids}).`, options);
  }
  if (failures.every((f) => (f.error as { code?: unknown })?.code === "ERR_ENVELOPE_COMMITMENT_MISMATCH")) {
    return new EnvelopeIntegrityError("ERR_ENVELOPE_INTEGRITY", `No wrapped key yields this envelope's data key (${ids}): it was modified.`, options);
  }
  return new EnvelopeDecryptError("ERR_ENVELOPE_KEYS_UNAVAILABLE", `No root key could unwrap this envelope's data key (${ids}); see cause for each attempt.`, options);
}

/** Recovers and verifies the data key; throws a classified EnvelopeDecryptError otherwise. */
export async function recoverKeys(req: RecoverRequest): Promise<Recovered> {
  const attempts = plan(req.header.wrappedKeys, req.rootKeys, req.order);
  if (attempts.length === 0) {
    const held = req.rootKeys.map((k) => `"${k.id}"`).join(", ");
    const present = req.header.wrappedKeys.map((w) => `"${w.keyId}"`).join(", ");
    throw new EnvelopeDecryptError("ERR_ENVELOPE_NO_MATCHING_KEY", `None of the root keys (${held}) matches a wrapped key of this envelope (${present}).`);
  }
  const failures: EnvelopeAttempt[] = [];
  for (const attempt of attempts) {
    throwIfAborted(req.signal);
    try {
      return await tryAttempt(req, attempt);
    } catch (error) {
      if (req.signal?.aborted) throw error instanceof EnvelopeAbortError ? error : new EnvelopeAbortError(req.signal.reason);
      if (error instanceof EnvelopeIntegrityError && error.code === "ERR_ENVELOPE_INTEGRITY") throw error;
      failures.push({ keyId: attempt.entry.keyId, rootKeyId: attempt.rootKey.id, error });
    }
  }
  throw summarize(failures);
}
