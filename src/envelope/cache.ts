/**
 * Data key cache. Seal side: one data key (and its already-wrapped key block) per
 * (root key ids, context) partition, reused until maxAge / maxMessages / maxBytes. Every message
 * still gets its own random message id and so its own content key: no GCM nonce reuse.
 * Open side: unwrapped data keys by wrapped-entry bytes. Concurrent misses share one
 * wrap/unwrap (single flight). Entries are zeroed when evicted.
 *
 * Cached material is only ever used synchronously inside `use`, right when a use is reserved,
 * so a later eviction (which zeroes it) cannot pull keys from under a running operation.
 */
import { raceAbort } from "./abort.js";
import { EnvelopeOptionsError, throwIfAborted } from "./errors.js";
import { destroyKeyMaterial, type KeyMaterial } from "./kdf.js";

/** Limits of a data key cache; a cached key is used only while every limit holds. */
export interface DataKeyCacheOptions {
  /** Longest time a data key is served after it was created/unwrapped. Required, > 0. */
  maxAgeInMs: number;
  /** Most messages sealed (or opened) with one cached data key. Default 2^32. */
  maxMessages?: number;
  /** Most plaintext bytes sealed (or opened) with one cached data key. Default 2^53-1. */
  maxBytes?: number;
  /** Most cached data keys per side (seal/open); the oldest goes first. Default 1000. */
  maxEntries?: number;
  /** Clock in ms, for tests. Default Date.now. */
  now?: () => number;
}

/** Counters of a data key cache since it was created. */
export interface DataKeyCacheStats {
  /** Seals served by a cached data key. */
  sealHits: number;
  /** Seals that created (and wrapped) a data key. */
  sealMisses: number;
  /** Opens served by a cached data key (no root key call). */
  openHits: number;
  /** Opens that unwrapped the data key through a root key. */
  openMisses: number;
  /** Data keys cached for sealing now. */
  sealEntries: number;
  /** Unwrapped data keys cached for opening now. */
  openEntries: number;
}

export interface CachedMaterial {
  material: KeyMaterial;
  /** Seal side: key block entries + tag, ready to copy into headers. */
  keyBlock?: Uint8Array;
  /** Open side: a key block already authenticated with this material (saves an HMAC per message). */
  verifiedKeyBlock?: Uint8Array;
}

interface Entry extends CachedMaterial {
  createdAt: number;
  messages: number;
  bytes: number;
}

interface Flight {
  promise: Promise<unknown>;
  signal: AbortSignal | undefined;
}

class Side {
  readonly entries = new Map<string, Entry>();
  readonly flights = new Map<string, Flight>();
  hits = 0;
  misses = 0;
}

function positive(value: number | undefined, fallback: number, name: string, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", `${name} must be a positive ${integer ? "integer" : "finite number"}.`);
  }
  return value;
}

// Set by DataKeyCache below, which keeps the accessors to its private state module-internal.
let acquire: typeof cached;
let acquireNow: typeof cachedNow;

/**
 * The synchronous fast path of `cached`: runs `use` on a usable entry for `key` and returns its
 * result, or returns undefined (nothing usable cached, or a creation in flight) without side
 * effects. Same limits and counters as `cached`.
 */
export function cachedNow<T>(cache: DataKeyCache, side: "seal" | "open", key: string, bytes: number, use: (m: CachedMaterial) => T): { value: T } | undefined {
  return acquireNow(cache, side, key, bytes, use);
}

/**
 * Runs `use` on the cached material for `key` on one side of the cache, creating it on a miss
 * (single flight). Undefined when a message of `bytes` can never be served: go uncached.
 */
export function cached<T>(
  cache: DataKeyCache,
  side: "seal" | "open",
  key: string,
  bytes: number,
  create: () => Promise<CachedMaterial>,
  use: (m: CachedMaterial) => T,
  signal: AbortSignal | undefined,
): Promise<T> | undefined {
  return acquire(cache, side, key, bytes, create, use, signal);
}

/**
 * Data keys reused across messages within limits: seal side by (root key ids, context), open side
 * by wrapped entry. Every message still gets its own message id and content key. Create with
 * `createDataKeyCache`; pass as `cache` to `seal`, `sealStream`, `open` and `openStream`.
 */
export class DataKeyCache {
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #seal = new Side();
  readonly #open = new Side();

  /** Same as `createDataKeyCache(options)`; throws EnvelopeOptionsError on invalid limits. */
  constructor(options: DataKeyCacheOptions) {
    if (typeof options !== "object" || options === null || options.maxAgeInMs === undefined) {
      throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "createDataKeyCache needs maxAgeInMs (> 0).");
    }
    this.#maxAge = positive(options.maxAgeInMs, 0, "maxAgeInMs", false);
    this.#maxMessages = positive(options.maxMessages, 2 ** 32, "maxMessages", true);
    this.#maxBytes = positive(options.maxBytes, Number.MAX_SAFE_INTEGER, "maxBytes", true);
    this.#maxEntries = positive(options.maxEntries, 1000, "maxEntries", true);
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "now must be a function.");
    }
    this.#now = options.now ?? Date.now;
  }

  /** Drops and zeroes every cached key. */
  clear(): void {
    for (const side of [this.#seal, this.#open]) {
      for (const entry of side.entries.values()) destroyKeyMaterial(entry.material);
      side.entries.clear();
    }
  }

  /** A snapshot of the hit, miss and entry counters. */
  stats(): DataKeyCacheStats {
    return {
      sealHits: this.#seal.hits,
      sealMisses: this.#seal.misses,
      openHits: this.#open.hits,
      openMisses: this.#open.misses,
      sealEntries: this.#seal.entries.size,
      openEntries: this.#open.entries.size,
    };
  }

  static {
    // The only way in for seal/open: not a method, so not public API.
    acquire = (cache, side, key, bytes, create, use, signal) =>
      cache.#acquire(side === "seal" ? cache.#seal : cache.#open, key, bytes, create, use, signal);
    acquireNow = (cache, side, key, bytes, use) => {
      const s = side === "seal" ? cache.#seal : cache.#open;
      const entry = bytes > cache.#maxBytes ? undefined : s.entries.get(key);
      if (entry === undefined || !cache.#fresh(entry, bytes)) return undefined;
      s.hits++;
      return { value: cache.#reserve(entry, bytes, use) };
    };
  }

  #fresh(entry: Entry, bytes: number): boolean {
    return this.#now() - entry.createdAt < this.#maxAge && entry.messages < this.#maxMessages && entry.bytes + bytes <= this.#maxBytes;
  }

  #reserve<T>(entry: Entry, bytes: number, use: (m: CachedMaterial) => T): T {
    entry.messages++;
    entry.bytes += bytes;
    return use(entry);
  }

  /** Returns undefined when a message of `bytes` can never be served (caller goes uncached). */
  #acquire<T>(side: Side, key: string, bytes: number, create: () => Promise<CachedMaterial>, use: (m: CachedMaterial) => T, signal?: AbortSignal): Promise<T> | undefined {
    if (bytes > this.#maxBytes) return undefined;
    const entry = side.entries.get(key);
    // Fast path, no extra promise hops: a usable entry and nothing in flight.
    if (entry !== undefined && this.#fresh(entry, bytes)) {
      side.hits++;
      try {
        return Promise.resolve(this.#reserve(entry, bytes, use));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#slow(side, key, bytes, create, use, signal);
  }

  async #slow<T>(side: Side, key: string, bytes: number, create: () => Promise<CachedMaterial>, use: (m: CachedMaterial) => T, signal?: AbortSignal): Promise<T> {
    for (;;) {
      throwIfAborted(signal);
      const entry = side.entries.get(key);
      if (entry !== undefined) {
        if (this.#fresh(entry, bytes)) {
          side.hits++;
          return this.#reserve(entry, bytes, use);
        }
        this.#evict(side, key, entry);
      }
      const flight = side.flights.get(key);
      if (flight !== undefined) {
        try {
          await raceAbort(flight.promise, signal);
        } catch (error) {
          // The leader was cancelled by its own signal: not our failure, try again.
          if (flight.signal?.aborted && !signal?.aborted) continue;
          throw error;
        }
        continue;
      }
      side.misses++;
      let outcome: { value: T } | { error: unknown } = { error: undefined };
      const promise = create().then((made) => {
        const created: Entry = { ...made, createdAt: this.#now(), messages: 0, bytes: 0 };
        // The leader always gets one use of what it created, however slow the creation was.
        // Its own failure (say, a commitment mismatch) must not reach the waiters.
        try {
          outcome = { value: this.#reserve(created, bytes, use) };
        } catch (error) {
          outcome = { error };
        }
        this.#insert(side, key, created);
      });
      side.flights.set(key, { promise, signal });
      try {
        await promise;
      } finally {
        side.flights.delete(key);
      }
      const settled = outcome as { value: T } | { error: unknown }; // assigned in the callback above
      if ("value" in settled) return settled.value;
      throw settled.error;
    }
  }

  #insert(side: Side, key: string, entry: Entry): void {
    const old = side.entries.get(key);
    if (old !== undefined) this.#evict(side, key, old);
    if (side.entries.size >= this.#maxEntries) {
      // Drop expired entries first, then the oldest.
      const now = this.#now();
      for (const [k, e] of side.entries) if (now - e.createdAt >= this.#maxAge) this.#evict(side, k, e);
      const oldest = side.entries.entries().next();
      if (side.entries.size >= this.#maxEntries && !oldest.done) this.#evict(side, oldest.value[0], oldest.value[1]);
    }
    if (this.#fresh(entry, 0)) side.entries.set(key, entry);
    else destroyKeyMaterial(entry.material);
  }

  #evict(side: Side, key: string, entry: Entry): void {
    side.entries.delete(key);
    destroyKeyMaterial(entry.material);
  }
}

/** Creates a data key cache to pass as `cache` to `seal`/`open`. */
export function createDataKeyCache(options: DataKeyCacheOptions): DataKeyCache {
  return new DataKeyCache(options);
}

/** Validates a `cache` option. */
export function checkCache(cache: unknown): DataKeyCache | undefined {
  if (cache === undefined || cache instanceof DataKeyCache) return cache;
  throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "cache must come from createDataKeyCache().");
}
