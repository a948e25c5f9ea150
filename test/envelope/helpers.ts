/** Shared fixtures for the envelope tests. */
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Transform } from "node:stream";
import { expect } from "vitest";
import {
  EnvelopeDecryptError,
  EnvelopeError,
  LocalRootKey,
  type RootKey,
  type RootKeyCallOptions,
  type WrappedKey,
} from "../../src/envelope/index.js";

export const a256kw = () => LocalRootKey.generate({ algorithm: "A256KW" });
export const rsa2048 = () => LocalRootKey.generate({ algorithm: "RSA-OAEP-256", modulusLength: 2048 });

/** Wraps a root key: counts calls, records the data keys it sees, can be told to fail or wait. */
export class SpyRootKey implements RootKey {
  wraps = 0;
  unwraps = 0;
  readonly seenDataKeys: Uint8Array[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  failUnwrap: (() => unknown) | undefined;
  failWrap: (() => unknown) | undefined;
  delayMs = 0;

  constructor(
    readonly inner: RootKey,
    readonly id: string = inner.id,
  ) {}

  async wrapKey(dataKey: Uint8Array, options?: RootKeyCallOptions): Promise<WrappedKey> {
    this.wraps++;
    this.signals.push(options?.abortSignal);
    this.seenDataKeys.push(new Uint8Array(dataKey));
    if (this.delayMs) await sleep(this.delayMs);
    if (this.failWrap) throw this.failWrap();
    return this.inner.wrapKey(dataKey, options);
  }

  async unwrapKey(wrapped: WrappedKey, options?: RootKeyCallOptions): Promise<Uint8Array> {
    this.unwraps++;
    this.signals.push(options?.abortSignal);
    if (this.delayMs) await sleep(this.delayMs);
    if (this.failUnwrap) throw this.failUnwrap();
    const key = await this.inner.unwrapKey(wrapped, options);
    this.seenDataKeys.push(new Uint8Array(key));
    return key;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function forbidden(message = "Forbidden"): Error {
  return Object.assign(new Error(message), { statusCode: 403, code: "Forbidden" });
}

/** Runs `input` (chunked) through a transform and collects the output. */
export async function through(transform: Transform, chunks: Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

/** Splits bytes into chunks of the given sizes (cycled). */
export function chunk(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Awaits a rejection and checks it is an EnvelopeError (optionally of a class / code). */
/** Typed as EnvelopeDecryptError for convenient access to `attempts` (present only on those). */
export async function rejection(promise: Promise<unknown>, code?: string | RegExp): Promise<EnvelopeDecryptError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a rejection").toBeInstanceOf(EnvelopeError);
  const error = caught as EnvelopeDecryptError;
  if (typeof code === "string") expect(error.code).toBe(code);
  else if (code) expect(error.code).toMatch(code);
  return error;
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >>> 3]! ^= 1 << (bit & 7);
  return copy;
}
