/** A bounds-checked big-endian reader: every overrun becomes an EnvelopeFormatError. */
import { EnvelopeFormatError, type EnvelopeErrorCode } from "./errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    /** Code used when a read runs past `end`. */
    private readonly overrunCode: EnvelopeErrorCode,
    private readonly what: string,
  ) {
    this.pos = start;
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.end) {
      throw new EnvelopeFormatError(this.overrunCode, `The envelope ${this.what} ends early (needed ${n} more bytes at offset ${at}).`);
    }
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }

  u16(): number {
    const at = this.need(2);
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  u32(): number {
    const at = this.need(4);
    const b = this.bytes;
    return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  utf8(n: number, field: string): string {
    const raw = this.take(n);
    try {
      return utf8.decode(raw);
    } catch {
      throw new EnvelopeFormatError("ERR_ENVELOPE_FORMAT", `The envelope ${field} is not valid UTF-8.`);
    }
  }
}

export function writeU16(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
  return at + 2;
}

export function writeU32(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return at + 4;
}

export function readU32(bytes: Uint8Array, at: number): number {
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}
