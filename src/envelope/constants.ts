/** Fixed values of envelope format v1. See docs/envelope-format.md. */

export const FORMAT_VERSION = 1;
/** AES-256-GCM frames, HKDF-SHA-512 derivation, 256-bit commitment, HMAC-SHA-256 key block tag. */
export const SUITE_V1 = 0x0001;
export const SUITE_V1_NAME = "AES-256-GCM/HKDF-SHA-512/COMMIT-256/HMAC-SHA-256";

export const DATA_KEY_LENGTH = 32;
export const MESSAGE_ID_LENGTH = 32;
export const COMMITMENT_LENGTH = 32;
export const KEY_BLOCK_TAG_LENGTH = 32;
export const GCM_TAG_LENGTH = 16;
export const GCM_IV_LENGTH = 12;

/** version(1) suite(2) headerLength(4) messageId(32) frameLength(4) commitment(32). */
export const FIXED_HEADER_LENGTH = 75;
export const OFFSET_HEADER_LENGTH = 3;
export const OFFSET_MESSAGE_ID = 7;
export const OFFSET_FRAME_LENGTH = 39;
export const OFFSET_COMMITMENT = 43;
export const OFFSET_CONTEXT = 75;

export const FRAME_REGULAR = 0x00;
export const FRAME_FINAL = 0x01;
/** flag(1) + ciphertext + tag(16). */
export const REGULAR_FRAME_OVERHEAD = 1 + GCM_TAG_LENGTH;
/** flag(1) + length(4) + ciphertext + tag(16). */
export const FINAL_FRAME_OVERHEAD = 5 + GCM_TAG_LENGTH;
/** Sequence numbers are uint32 and start at 1. */
export const MAX_FRAMES = 0xffff_ffff;

/** Frame length `seal` writes: the message is in memory anyway, so fewer, larger frames cost nothing. */
export const DEFAULT_FRAME_LENGTH = 1024 * 1024;
/** Frame length `sealStream` writes: bounds what a stream buffers, and streams faster here. */
export const DEFAULT_STREAM_FRAME_LENGTH = 256 * 1024;
/** Largest frame length the format allows, in bytes (16 MiB); also the default `limits.maxFrameLength`. */
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;

export const MAX_CONTEXT_ENTRIES = 64;
/** Whole context block (count + entries). */
export const MAX_CONTEXT_BYTES = 8 * 1024;

export const MAX_KEY_ID_LENGTH = 2048;
export const MAX_ALGORITHM_LENGTH = 64;
export const MAX_ENCRYPTED_KEY_LENGTH = 4096;
/** The count is one byte. */
export const MAX_WRAPPED_KEYS = 255;

/** Default `limits.maxWrappedKeys`: wrapped-key entries accepted per envelope. */
export const DEFAULT_MAX_WRAPPED_KEYS = 16;
/** Default `limits.maxHeaderLength`, in bytes (64 KiB). */
export const DEFAULT_MAX_HEADER_LENGTH = 64 * 1024;
export const MAX_HEADER_LENGTH = 4 * 1024 * 1024;

/** HKDF salt (extract) and info labels (expand). */
export const HKDF_SALT = Buffer.from("customer-key/envelope/v1", "latin1");
export const HKDF_INFO_MESSAGE = Buffer.from("customer-key/envelope/v1 message", "latin1");
export const HKDF_INFO_KEY_BLOCK = Buffer.from("customer-key/envelope/v1 key-block", "latin1");
