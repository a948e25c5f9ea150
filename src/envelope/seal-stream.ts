/**
 * Streaming seal: a Node Transform from plaintext to an envelope in the same format as `seal`.
 * Holds one frame of plaintext at a time (the last full frame is held back until more data or
 * the end arrives, because the final flag must be known before a frame is encrypted).
 */
import { Transform, type TransformCallback } from "node:stream";
import { DEFAULT_STREAM_FRAME_LENGTH, MAX_FRAMES } from "./constants.js";
import { EnvelopeAbortError, EnvelopeOptionsError, throwIfAborted } from "./errors.js";
import type { FrameCipher } from "./frames.js";
import { headerLengthFor } from "./header.js";
import { destroyKeyMaterial } from "./kdf.js";
import { createSealMaterial, prepareSeal, startMessage, type PreparedSeal } from "./seal.js";
import type { SealOptions } from "./types.js";

/** sealStream options: as `seal`, without the cache (the size is unknown up front). */
export type SealStreamOptions = Omit<SealOptions, "cache">;

class SealTransform extends Transform {
  readonly #p: PreparedSeal;
  readonly #buffer: Buffer;
  #fill = 0;
  #seq = 1;
  #frames: FrameCipher | undefined;
  readonly #onAbort = () => this.destroy(new EnvelopeAbortError(this.#p.signal?.reason));

  constructor(p: PreparedSeal) {
    super();
    this.#p = p;
    this.#buffer = Buffer.allocUnsafeSlow(p.frameLength);
    p.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Wraps a fresh data key and pushes the header. False when the stream was destroyed meanwhile. */
  async #start(): Promise<boolean> {
    const m = await createSealMaterial(this.#p.rootKeys, this.#p.signal);
    try {
      // _destroy has already run: a content key derived now would never be zeroed.
      if (this.destroyed) return false;
      const header = Buffer.allocUnsafe(headerLengthFor(this.#p.contextBytes, m.keyBlock));
      const { frames } = startMessage(this.#p, m, header);
      this.#frames = frames;
      this.push(header);
      return true;
    } finally {
      destroyKeyMaterial(m.material);
    }
  }

  /** Runs `step` once the data key exists (starting the message on first use). */
  #afterStart(callback: TransformCallback, step: () => void): void {
    if (this.#frames !== undefined) return this.#run(callback, step);
    this.#start().then((started) => (started ? this.#run(callback, step) : callback()), callback);
  }

  #emit(final: boolean, plaintext: Buffer): void {
    if (this.#seq > MAX_FRAMES) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "The stream needs more than 2^32-1 frames; use a larger frameLength.");
    for (const part of this.#frames!.sealParts(this.#seq++, final, plaintext)) this.push(part);
  }

  #consume(chunk: Buffer): void {
    const frameLength = this.#p.frameLength;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#fill === frameLength) {
        // More data follows, so the held frame is not the last one.
        this.#emit(false, this.#buffer);
        this.#fill = 0;
      }
      if (this.#fill === 0 && chunk.length - offset > frameLength) {
        this.#emit(false, chunk.subarray(offset, offset + frameLength)); // no copy for big writes
        offset += frameLength;
        continue;
      }
      const n = Math.min(frameLength - this.#fill, chunk.length - offset);
      chunk.copy(this.#buffer, this.#fill, offset, offset + n);
      this.#fill += n;
      offset += n;
    }
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : undefined;
    if (data === undefined) return callback(new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "sealStream accepts bytes only."));
    this.#afterStart(callback, () => this.#consume(data));
  }

  override _flush(callback: TransformCallback): void {
    const finish = () => {
      this.#emit(true, this.#buffer.subarray(0, this.#fill));
      this.#frames!.destroy();
    };
    this.#afterStart(callback, finish);
  }

  #run(callback: TransformCallback, step: () => void): void {
    try {
      throwIfAborted(this.#p.signal);
      step();
    } catch (error) {
      return callback(error as Error);
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#p.signal?.removeEventListener("abort", this.#onAbort);
    this.#frames?.destroy();
    this.#buffer.fill(0);
    callback(error);
  }
}

/** Returns a Transform that turns plaintext into an envelope. Options are checked right away. */
export function sealStream(options: SealStreamOptions): Transform {
  if ((options as SealOptions | undefined)?.cache !== undefined) {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "sealStream does not take a cache: its size is not known up front.");
  }
  const p = prepareSeal(options, DEFAULT_STREAM_FRAME_LENGTH);
  throwIfAborted(p.signal);
  return new SealTransform(p);
}
