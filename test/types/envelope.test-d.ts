/**
 * Compile-only pins of the public types of `customer-key/envelope`: a change to a signature, to
 * the RootKey shape users implement, or to the error code union fails `vitest --typecheck`.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  ENVELOPE_ERROR_CODES,
  EnvelopeDecryptError,
  EnvelopeError,
  EnvelopeIntegrityError,
  inspect,
  open,
  openStream,
  rewrap,
  seal,
  sealStream,
  type DataKeyCache,
  type EncryptionContext,
  type EnvelopeErrorCode,
  type EnvelopeHeader,
  type EnvelopeLimits,
  type OpenOptions,
  type RewrapOptions,
  type RootKey,
  type RootKeyCallOptions,
  type SealOptions,
  type WrappedKey,
} from "../../src/envelope/index.js";
import type { Transform } from "node:stream";

describe("seal / open / rewrap / inspect", () => {
  it("seal takes bytes and options, resolves to bytes", () => {
    expectTypeOf(seal).parameters.toEqualTypeOf<[plaintext: Uint8Array, options: SealOptions]>();
    expectTypeOf(seal).returns.toEqualTypeOf<Promise<Uint8Array>>();
  });

  it("open takes bytes and options, resolves to bytes", () => {
    expectTypeOf(open).parameters.toEqualTypeOf<[envelope: Uint8Array, options: OpenOptions]>();
    expectTypeOf(open).returns.toEqualTypeOf<Promise<Uint8Array>>();
  });

  it("rewrap and inspect", () => {
    expectTypeOf(rewrap).parameters.toEqualTypeOf<[envelope: Uint8Array, options: RewrapOptions]>();
    expectTypeOf(rewrap).returns.toEqualTypeOf<Promise<Uint8Array>>();
    expectTypeOf(inspect).parameters.toEqualTypeOf<[envelope: Uint8Array, options?: { limits?: EnvelopeLimits }]>();
    expectTypeOf(inspect).returns.toEqualTypeOf<EnvelopeHeader>();
  });

  it("the streams are Transform streams", () => {
    expectTypeOf(sealStream).returns.toEqualTypeOf<Transform>();
    expectTypeOf(openStream).returns.toEqualTypeOf<Transform>();
  });

  it("option bags: what is required, what is optional", () => {
    expectTypeOf<SealOptions["rootKeys"]>().toEqualTypeOf<readonly RootKey[]>();
    expectTypeOf<SealOptions["context"]>().toEqualTypeOf<EncryptionContext | undefined>();
    expectTypeOf<SealOptions["minRootKeys"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SealOptions["frameLength"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SealOptions["cache"]>().toEqualTypeOf<DataKeyCache | undefined>();
    expectTypeOf<OpenOptions["rootKeys"]>().toEqualTypeOf<readonly RootKey[]>();
    expectTypeOf<OpenOptions["order"]>().toEqualTypeOf<"listed" | "random" | undefined>();
    expectTypeOf<OpenOptions["abortSignal"]>().toEqualTypeOf<AbortSignal | undefined>();
    expectTypeOf<EncryptionContext>().toEqualTypeOf<Readonly<Record<string, string>>>();
    // @ts-expect-error rootKeys is required
    const missing: SealOptions = {};
    void missing;
  });
});

describe("RootKey, the interface users implement", () => {
  it("has exactly id, wrapKey and unwrapKey", () => {
    expectTypeOf<keyof RootKey>().toEqualTypeOf<"id" | "wrapKey" | "unwrapKey">();
    expectTypeOf<RootKey["id"]>().toEqualTypeOf<string>();
    expectTypeOf<RootKey["wrapKey"]>().toEqualTypeOf<(dataKey: Uint8Array, options?: RootKeyCallOptions) => Promise<WrappedKey>>();
    expectTypeOf<RootKey["unwrapKey"]>().toEqualTypeOf<(wrapped: WrappedKey, options?: RootKeyCallOptions) => Promise<Uint8Array>>();
    expectTypeOf<RootKeyCallOptions>().toEqualTypeOf<{ abortSignal?: AbortSignal }>();
    expectTypeOf<WrappedKey>().toEqualTypeOf<{ keyId: string; algorithm: string; encryptedKey: Uint8Array }>();
  });

  it("a plain object literal implements it", () => {
    const key = {
      id: "https://v.vault.azure.net/keys/k",
      wrapKey: async (dataKey: Uint8Array) => ({ keyId: "https://v.vault.azure.net/keys/k/1", algorithm: "RSA-OAEP-256", encryptedKey: dataKey }),
      unwrapKey: async (wrapped: WrappedKey) => wrapped.encryptedKey,
    };
    expectTypeOf(key).toMatchTypeOf<RootKey>();
  });
});

describe("error codes", () => {
  it("are a published readonly tuple and its union", () => {
    expectTypeOf(ENVELOPE_ERROR_CODES).toMatchTypeOf<readonly EnvelopeErrorCode[]>();
    expectTypeOf<(typeof ENVELOPE_ERROR_CODES)[number]>().toEqualTypeOf<EnvelopeErrorCode>();
    expectTypeOf<"ERR_ENVELOPE_INTEGRITY">().toMatchTypeOf<EnvelopeErrorCode>();
    expectTypeOf<"ERR_NOT_A_CODE">().not.toMatchTypeOf<EnvelopeErrorCode>();
    // @ts-expect-error the tuple is readonly
    ENVELOPE_ERROR_CODES.push("ERR_X");
  });

  it("every envelope error's code is the union, and narrows", () => {
    expectTypeOf<EnvelopeError["code"]>().toEqualTypeOf<EnvelopeErrorCode>();
    expectTypeOf<EnvelopeDecryptError["code"]>().toEqualTypeOf<EnvelopeErrorCode>();
    expectTypeOf<EnvelopeIntegrityError["code"]>().toEqualTypeOf<EnvelopeErrorCode>();
    const handle = (error: EnvelopeError) => {
      if (error.code === "ERR_ENVELOPE_REVOKED" || error.code === "ERR_ENVELOPE_NO_MATCHING_KEY") {
        expectTypeOf(error.code).toEqualTypeOf<"ERR_ENVELOPE_REVOKED" | "ERR_ENVELOPE_NO_MATCHING_KEY">();
        return;
      }
      expectTypeOf(error.code).not.toEqualTypeOf<EnvelopeErrorCode>();
      // @ts-expect-error not an envelope code: the comparison has no overlap
      if (error.code === "ERR_VAULT_NAME_INVALID") return;
    };
    void handle;
  });
});
