/** Opens the fixed vectors in test/vectors/envelope-v1.json: the format must not drift. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inspect, LocalRootKey, open, openStream, type LocalRootKeyJwk } from "../../src/envelope/index.js";
import { chunk, rejection, through } from "./helpers.js";

interface Vector {
  name: string;
  rootKeys: LocalRootKeyJwk[];
  context: Record<string, string>;
  frameLength: number;
  plaintext: string;
  envelope: string;
  expected: { messageId: string; commitment: string; frameCount: number; keyIds: string[] };
}

const { vectors } = JSON.parse(readFileSync(new URL("../vectors/envelope-v1.json", import.meta.url), "utf8")) as { vectors: Vector[] };

describe("test vectors (format v1)", () => {
  it("has the required vectors", () => {
    expect(vectors.map((v) => v.name)).toEqual(
      expect.arrayContaining(["rsa-oaep-256-x2", "a256kw-x2", "streamed-multi-frame", "empty-plaintext", "rewrapped-new-versions"]),
    );
  });

  describe.each(vectors.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const keys = v.rootKeys.map((jwk) => LocalRootKey.fromJwk(jwk));
    const envelope = Buffer.from(v.envelope, "base64");
    const plaintext = Buffer.from(v.plaintext, "base64");

    it("parses to the recorded header", () => {
      const h = inspect(envelope);
      expect(h.version).toBe(1);
      expect(h.suite).toBe(1);
      expect(Buffer.from(h.messageId).toString("hex")).toBe(v.expected.messageId);
      expect(Buffer.from(h.commitment).toString("hex")).toBe(v.expected.commitment);
      expect(h.frameCount).toBe(v.expected.frameCount);
      expect(h.frameLength).toBe(v.frameLength);
      expect(h.wrappedKeys.map((w) => w.keyId)).toEqual(v.expected.keyIds);
      expect(h.context).toEqual(v.context);
      expect(h.plaintextLength).toBe(plaintext.length);
      expect(keys.map((k) => k.keyId)).toEqual(v.expected.keyIds);
    });

    it("opens with all keys and with each key alone, one-shot and streamed", async () => {
      expect(Buffer.from(await open(envelope, { rootKeys: keys, context: v.context })).equals(plaintext)).toBe(true);
      for (const key of keys) expect(Buffer.from(await open(envelope, { rootKeys: [key] })).equals(plaintext)).toBe(true);
      expect((await through(openStream({ rootKeys: [keys[keys.length - 1]!] }), chunk(envelope, [37]))).equals(plaintext)).toBe(true);
    });

    it("still rejects a modified copy", async () => {
      const copy = Buffer.from(envelope);
      copy[copy.length - 1]! ^= 0x80;
      await rejection(open(copy, { rootKeys: keys }), "ERR_ENVELOPE_INTEGRITY");
    });
  });
});
