/**
 * Streaming open: a Node Transform from envelope bytes to plaintext. Each frame is authenticated
 * before its plaintext is pushed; a stream that ends before the final frame errors with
 * ERR_ENVELOPE_TRUNCATED, so consumers must treat a stream error as "discard what you got".
 */
import { Transform, type TransformCallback } from "node:stream";
import { ByteQueue } from "./byte-queue.js";
import { checkCache } from "./cache.js";
import { FINAL_FRAME_OVERHEAD, FORMAT_VERSION, FRAME_FINAL, FRAME_REGULAR, GCM_TAG_LENGTH, MAX_FRAMES, OFFSET_MESSAGE_ID, REGULAR_FRAME_OVERHEAD } from "./constants.js";
import { EnvelopeAbortError, EnvelopeFormatError, EnvelopeOptionsError, throwIfAborted } from "./errors.js";
import { FrameCipher } from "./frames.js";
import { bodyAadPrefix, parseHeader, readHeaderPrefix, resolveLimits, type ParsedHeader, type ResolvedLimits } from "./header.js";
import { checkContext } from "./open.js";
import { readU32 } from "./reader.js";
import { recoverKeys } from "./recover.js";
import { checkRootKeys } from "./root-keys.js";
import type { OpenOptions, RootKey } from "./types.js";

class OpenTransform extends Transform {
  readonly #options: OpenOptions;
  readonly #rootKeys: readonly RootKey[];
  readonly #limits: ResolvedLimits;
  readonly #queue = new ByteQueue();
  #header: ParsedHeader | undefined;
  #frames: FrameCipher | undefined;
  #seq = 1;
  #done = false;
  readonly #onAbort = () => this.destroy(new EnvelopeAbortError(this.#options.abortSignal?.reason));

  constructor(options: OpenOptions, rootKeys: readonly RootKey[], limits: ResolvedLimits) {
    super();
    this.#options = options;
    this.#rootKeys = rootKeys;
    this.#limits = limits;
    options.abortSignal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Parses the header once it is complete and recovers the keys. False: need more bytes. */
  async #readHeader(): Promise<boolean> {
    const q = this.#queue;
    if (q.length === 0) return false;
    if (q.length < OFFSET_MESSAGE_ID) {
      if (q.byteAt(0) !== FORMAT_VERSION) readHeaderPrefix(q.peek(1), this.#limits); // fail fast
      return false;
    }
    const headerLength = readHeaderPrefix(q.peek(OFFSET_MESSAGE_ID), this.#limits);
    if (q.length < headerLength) return false;
    const header = parseHeader(q.take(headerLength), this.#limits);
    checkContext(this.#options.context, header);
    const { okm } = await recoverKeys({
      header,
      rootKeys: this.#rootKeys,
      order: this.#options.order ?? "listed",
      signal: this.#options.abortSignal,
      cache: checkCache(this.#options.cache),
      bytes: 0,
      keepMaterial: false,
    });
    if (this.destroyed) {
      // Destroyed (say, aborted) while the key service answered: _destroy has already run.
      okm.fill(0);
      return false;
    }
    this.#header = header;
    this.#frames = new FrameCipher(okm.subarray(0, 32), bodyAadPrefix(header.messageId, header.frameLength, header.commitment, header.contextBytes));
    return true;
  }

  /** Decrypts every complete frame in the queue. */
  #readFrames(): void {
    const q = this.#queue;
    const frameLength = this.#header!.frameLength;
    while (q.length > 0) {
      if (this.#done) throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", "The envelope has data after its final frame.");
      const flag = q.byteAt(0);
      if (flag === FRAME_REGULAR) {
        if (q.length < REGULAR_FRAME_OVERHEAD + frameLength) return;
        if (this.#seq >= MAX_FRAMES) throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", "The envelope has too many frames.");
        const frame = q.take(REGULAR_FRAME_OVERHEAD + frameLength);
        this.push(this.#frames!.open(this.#seq++, false, frame.subarray(1, 1 + frameLength), frame.subarray(1 + frameLength)));
      } else if (flag === FRAME_FINAL) {
        if (q.length < 5) return;
        const length = readU32(Buffer.from([q.byteAt(1), q.byteAt(2), q.byteAt(3), q.byteAt(4)]), 0);
        if (length > frameLength) throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", "The envelope final frame is longer than the frame length.");
        if (q.length < FINAL_FRAME_OVERHEAD + length) return;
        const frame = q.take(FINAL_FRAME_OVERHEAD + length);
        this.push(this.#frames!.open(this.#seq++, true, frame.subarray(5, 5 + length), frame.subarray(5 + length, 5 + length + GCM_TAG_LENGTH)));
        this.#done = true;
        this.#frames!.destroy();
      } else {
        throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", `Envelope frame ${this.#seq} has an unknown type ${flag}.`);
      }
    }
  }

  async #pump(): Promise<void> {
    throwIfAborted(this.#options.abortSignal);
    if (this.#header === undefined && !(await this.#readHeader())) return;
    this.#readFrames();
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!(chunk instanceof Uint8Array)) return callback(new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "openStream accepts bytes only."));
    this.#queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    if (this.#header !== undefined) {
      // Hot path: no promise per chunk once the keys are known.
      try {
        throwIfAborted(this.#options.abortSignal);
        this.#readFrames();
      } catch (error) {
        return callback(error as Error);
      }
      return callback();
    }
    this.#pump().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.#done) {
      const where = this.#header === undefined ? "header" : "body, before its final frame";
      return callback(new EnvelopeFormatError("ERR_ENVELOPE_TRUNCATED", `The envelope stream ended inside its ${where}.`));
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#options.abortSignal?.removeEventListener("abort", this.#onAbort);
    this.#frames?.destroy();
    callback(error);
  }
}

/** Returns a Transform that turns an envelope (from `seal` or `sealStream`) back into plaintext. */
export function openStream(options: OpenOptions): Transform {
  if (typeof options !== "object" || options === null) throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", "openStream needs an options object with rootKeys.");
  const rootKeys = checkRootKeys(options.rootKeys, 1, "rootKeys");
  if (options.order !== undefined && options.order !== "listed" && options.order !== "random") {
    throw new EnvelopeOptionsError("ERR_ENVELOPE_INVALID_OPTIONS", 'order must be "listed" or "random".');
  }
  checkCache(options.cache);
  const limits = resolveLimits(options.limits);
  throwIfAborted(options.abortSignal);
  return new OpenTransform(options, rootKeys, limits);
}
