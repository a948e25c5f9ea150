/** A FIFO of byte chunks for stream parsing: read exact sizes without concatenating everything. */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #head = 0; // read offset into #chunks[0]
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Byte at position `i` from the front (i < length). */
  byteAt(i: number): number {
    let at = this.#head + i;
    for (const chunk of this.#chunks) {
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
    }
    throw new Error("ByteQueue.byteAt out of range"); // callers check length first
  }

  /** The first `n` bytes (n ≤ length), without removing them. */
  peek(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) return first.subarray(this.#head, this.#head + n);
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let head = this.#head;
    for (const chunk of this.#chunks) {
      if (written === n) break;
      const count = Math.min(n - written, chunk.length - head);
      chunk.copy(out, written, head, head + count);
      written += count;
      head = 0;
    }
    return out;
  }

  /** Removes and returns the first `n` bytes (n ≤ length); a view when they sit in one chunk. */
  take(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) {
      const out = first.subarray(this.#head, this.#head + n);
      this.#advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.#chunks[0]!;
      const count = Math.min(n - written, chunk.length - this.#head);
      chunk.copy(out, written, this.#head, this.#head + count);
      written += count;
      this.#advance(count);
    }
    return out;
  }

  #advance(n: number): void {
    this.length -= n;
    this.#head += n;
    while (this.#chunks.length > 0 && this.#head >= this.#chunks[0]!.length) {
      this.#head -= this.#chunks[0]!.length;
      this.#chunks.shift();
    }
  }
}
