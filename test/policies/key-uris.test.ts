/** rules/key-uris.ts: the key URIs every Microsoft 365 policy takes, parsed and paired without a request. */
import { describe, expect, it } from "vitest";
import { parseKeyUri, parseKeyUriPair, sameKey, tryParseKeyUri, versionedKeyUri } from "../../src/rules/key-uris.js";
import { InvalidInputError } from "../../src/index.js";

const V = "f635a23bd4a44b9996ff6aadd88d42ba";

describe("key URIs", () => {
  it("parses versioned and versionless URIs into vault, key and 32-hex version", () => {
    expect(parseKeyUri(`https://Contoso-CK-EU1.vault.azure.net/keys/spo-root/${V.toUpperCase()}`, "f")).toEqual({
      vaultUrl: "https://contoso-ck-eu1.vault.azure.net",
      vaultName: "contoso-ck-eu1",
      keyName: "spo-root",
      version: V,
      versionlessId: "https://contoso-ck-eu1.vault.azure.net/keys/spo-root",
    });
    expect(parseKeyUri("https://kv1.vault.azure.net/keys/k/", "f").version).toBeUndefined();
    expect(versionedKeyUri(parseKeyUri("https://kv1.vault.azure.net/keys/k", "f"), V)).toBe(`https://kv1.vault.azure.net/keys/k/${V}`);
  });

  it("refuses what is not a key URI, naming the field", () => {
    for (const bad of [42, "", "kv1/keys/k", "http://kv1.vault.azure.net/keys/k", "https://kv1.vault.azure.net/secrets/k", "https://kv1.vault.azure.net/keys/k/123", "https://kv1.vault.azure.net/keys/k_1", "https://kv1.vault.azure.net/keys/k?api-version=7.4", `https://kv1.vault.azure.net/keys/k/${V}/x`]) {
      const error = (() => {
        try {
          parseKeyUri(bad, "primaryKeyUri");
        } catch (e) {
          return e as InvalidInputError;
        }
        throw new Error(`accepted ${String(bad)}`);
      })();
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.code).toBe("ERR_KEY_ID_INVALID");
      expect(error.field).toBe("primaryKeyUri");
    }
    expect(tryParseKeyUri("nope")).toBeUndefined();
    expect(tryParseKeyUri("")).toBeUndefined();
  });

  it("pairs two keys only in two different vaults; same key means same vault and name, any version", () => {
    const [a, b] = parseKeyUriPair("https://kv1.vault.azure.net/keys/k", `https://kv2.vault.azure.net/keys/k/${V}`);
    expect([a.vaultName, b.vaultName]).toEqual(["kv1", "kv2"]);
    expect(() => parseKeyUriPair("https://kv1.vault.azure.net/keys/a", "https://KV1.vault.azure.net/keys/b")).toThrow(expect.objectContaining({ code: "ERR_KEY_URIS_SAME_VAULT", field: "secondaryKeyUri" }));
    expect(sameKey(a, parseKeyUri(`https://kv1.vault.azure.net/keys/K/${V}`, "f"))).toBe(true);
    expect(sameKey(a, b)).toBe(false);
  });
});
