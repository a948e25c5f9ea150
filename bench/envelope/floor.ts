/**
 * The floor of envelope format v1 in Node: a cached-data-key seal that does only what the format
 * requires of every message (one HMAC-SHA-512 for the content key and commitment, one AES-GCM
 * cipher per frame with its AAD, one output buffer) and nothing an API needs (no argument checks,
 * no cache bookkeeping, no abort checks; the header template is built once). Not usable code: it
 * tells how much of the gap to bare GCM is the format and how much is ours.
 * createFloor() checks that what it writes opens with `open`.
 */
import { createCipheriv } from "node:crypto";
import * as c from "../../src/envelope/constants.js";
import { encodeContext } from "../../src/envelope/context.js";
import { bodyLengthFor } from "../../src/envelope/frames.js";
import { bodyAadPrefix, writeHeader } from "../../src/envelope/header.js";
import { open, type RootKey } from "../../src/envelope/index.js";
import { deriveMessageKeys, writeMessageId } from "../../src/envelope/kdf.js";
import { createSealMaterial } from "../../src/envelope/seal.js";

export async function createFloor(rootKeys: RootKey[], context: Record<string, string>): Promise<(pt: Uint8Array) => Uint8Array> {
  const { material, keyBlock } = await createSealMaterial(rootKeys, undefined);
  const ctx = encodeContext(context);
  const frameLength = c.DEFAULT_FRAME_LENGTH;
  // Built once; each message only fills in its message id and commitment.
  const zeros = new Uint8Array(c.MESSAGE_ID_LENGTH);
  const template = Buffer.alloc(c.FIXED_HEADER_LENGTH + ctx.length + keyBlock.length);
  const headerLength = writeHeader(template, zeros, frameLength, zeros, ctx, keyBlock);
  const aad = bodyAadPrefix(zeros, frameLength, zeros, ctx);
  const iv = Buffer.alloc(c.GCM_IV_LENGTH);

  const seal = (pt: Uint8Array): Uint8Array => {
    const regular = pt.length > 0 ? Math.ceil(pt.length / frameLength) - 1 : 0;
    const out = Buffer.allocUnsafe(headerLength + bodyLengthFor(pt.length, frameLength));
    template.copy(out);
    writeMessageId(out, c.OFFSET_MESSAGE_ID);
    const okm = deriveMessageKeys(material, out.subarray(c.OFFSET_MESSAGE_ID, c.OFFSET_MESSAGE_ID + c.MESSAGE_ID_LENGTH));
    okm.copy(out, c.OFFSET_COMMITMENT, 32, 64);
    out.copy(aad, 3, c.OFFSET_MESSAGE_ID, c.OFFSET_MESSAGE_ID + c.MESSAGE_ID_LENGTH);
    okm.copy(aad, 7 + c.MESSAGE_ID_LENGTH, 32, 64);
    const key = okm.subarray(0, 32);
    let at = headerLength;
    for (let seq = 1, offset = 0; seq <= regular + 1; seq++, offset += frameLength) {
      const final = seq === regular + 1;
      const chunk = pt.subarray(offset, final ? pt.length : offset + frameLength);
      iv.writeUInt32BE(seq, 8);
      aad.writeUInt32BE(seq, aad.length - 5);
      aad[aad.length - 1] = final ? 1 : 0;
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad);
      out[at++] = final ? c.FRAME_FINAL : c.FRAME_REGULAR;
      if (final) at = out.writeUInt32BE(chunk.length, at);
      out.set(cipher.update(chunk), at);
      at += chunk.length;
      cipher.final();
      out.set(cipher.getAuthTag(), at);
      at += c.GCM_TAG_LENGTH;
    }
    return out;
  };

  // A floor that wrote something else would measure nothing.
  for (const size of [0, 1024, 3 * frameLength + 1]) {
    const pt = Buffer.alloc(size, 7);
    const opened = await open(seal(pt), { rootKeys, context });
    if (!Buffer.from(opened).equals(pt)) throw new Error(`v1 floor: envelope of ${size} bytes did not round-trip`);
  }
  return seal;
}
