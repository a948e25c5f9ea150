/** The DEP rules (pure) and the adaptive rate limiter. */
import { describe, expect, it } from "vitest";
import { parsePolicyKeyUri, policyKeyProblems, policyNameProblems, validatePolicyKeyUris, validatePolicyName } from "../../src/rules/data-encryption-policy.js";
import { AdaptiveRateLimiter } from "../../src/internal/adaptive-rate.js";
import type { RootKeyInfo } from "../../src/rules/key-rules.js";

const kid = (vault: string, version = "0123456789abcdef0123456789abcdef") => `https://${vault}.vault.azure.net/keys/exo-root/${version}`;

describe("DEP names", () => {
  it("refuses spaces unless allowed, and characters an AD name cannot take", () => {
    expect(policyNameProblems("USA_mailboxes")).toEqual([]);
    expect(policyNameProblems("USA mailboxes")).toHaveLength(1);
    expect(policyNameProblems("USA mailboxes", { allowSpaces: true })).toEqual([]);
    expect(policyNameProblems(" lead")).not.toEqual([]);
    expect(policyNameProblems("a,b")).not.toEqual([]);
    expect(policyNameProblems("x".repeat(65))).not.toEqual([]);
    expect(policyNameProblems("")).not.toEqual([]);
    expect(() => validatePolicyName("a b")).toThrow(expect.objectContaining({ code: "ERR_POLICY_NAME_INVALID", field: "name" }));
  });
});

describe("DEP key URIs", () => {
  it("accepts versioned and versionless key ids in two vaults, nothing else", () => {
    expect(parsePolicyKeyUri(kid("a"))).toMatchObject({ vaultUrl: "https://a.vault.azure.net", name: "exo-root", version: "0123456789abcdef0123456789abcdef" });
    expect(parsePolicyKeyUri("https://a.vault.azure.net/keys/exo-root")).toMatchObject({ version: undefined });
    expect(parsePolicyKeyUri("https://a.vault.azure.net/secrets/x")).toBeUndefined();
    expect(parsePolicyKeyUri("http://a.vault.azure.net/keys/x")).toBeUndefined();
    expect(validatePolicyKeyUris([kid("a"), kid("b")])).toHaveLength(2);
    for (const bad of [[kid("a")], [kid("a"), kid("b"), kid("c")], [kid("a"), kid("A")], "x"]) {
      expect(() => validatePolicyKeyUris(bad)).toThrow(expect.objectContaining({ code: "ERR_POLICY_KEY_URIS_INVALID" }));
    }
  });

  it("names every key rule a version breaks", () => {
    const good: RootKeyInfo = {
      id: kid("a"), versionlessId: "", vaultUrl: "", name: "exo-root", version: "", keyType: "RSA-HSM", keySize: 3072, keyOperations: ["wrapKey", "unwrapKey"],
      enabled: true, notBefore: undefined, expiresOn: undefined, createdOn: undefined, updatedOn: undefined, recoveryLevel: "Recoverable+ProtectedSubscription", recoverableDays: 90,
    };
    expect(policyKeyProblems(good)).toEqual([]);
    const bad = policyKeyProblems({ ...good, enabled: false, keyType: "EC", keySize: 1024, keyOperations: ["wrapKey"], expiresOn: new Date("2030-01-01"), recoveryLevel: "Recoverable" });
    expect(bad).toHaveLength(6);
  });
});

describe("AdaptiveRateLimiter", () => {
  it("speeds up on success, pauses for Retry-After and slows to what the service let through", async () => {
    const limiter = new AdaptiveRateLimiter({ initialRate: 10 });
    for (let i = 0; i < 20; i++) limiter.onSuccess();
    const before = limiter.rate;
    expect(before).toBeGreaterThan(50); // slow start: +10 % a success
    const sent = await limiter.acquire(undefined, "test");
    limiter.onThrottle(sent, 200);
    const afterThrottle = limiter.rate;
    expect(afterThrottle).toBeCloseTo(before * 0.95); // under a second of history: the mild decrease only
    limiter.onThrottle(sent - 1, 200); // a request sent before the decrease: no second decrease
    expect(limiter.rate).toBe(afterThrottle);
    const t0 = performance.now();
    await limiter.acquire(undefined, "test");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190); // paused for Retry-After
    const abort = new AbortController();
    abort.abort();
    await expect(limiter.acquire(abort.signal, "test")).rejects.toMatchObject({ code: "ERR_ABORTED" });
  });
});
