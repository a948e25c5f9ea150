import { describe, expect, it } from "vitest";
import { InvalidInputError, isValidVaultName, vaultNameProblems } from "../../src/index.js";
import { plannedVaultUrl, suggestVaultNames, validateVaultName } from "../../src/rules/vault-naming.js";

describe("vault name rules", () => {
  it.each([
    ["abc", true],
    ["Contoso-EXO-a1", true],
    ["a".repeat(24), true],
    ["ab", false],
    ["a".repeat(25), false],
    ["1vault", false],
    ["vault-", false],
    ["va--ult", false],
    ["va_ult", false],
    ["vault.one", false],
  ])("%s valid: %s", (name, valid) => {
    expect(isValidVaultName(name)).toBe(valid);
    expect(vaultNameProblems(name).length === 0).toBe(valid);
  });

  it("names every rule broken, without throwing", () => {
    const problems = vaultNameProblems("-a--_");
    expect(problems.join(" | ")).toMatch(/letters, digits and hyphens/);
    expect(problems.join(" | ")).toMatch(/start with a letter/);
    expect(problems.join(" | ")).toMatch(/end with a letter or a digit/);
    expect(problems.join(" | ")).toMatch(/consecutive hyphens/);
    expect(vaultNameProblems("")).toEqual(["a vault name is required"]);
  });

  it("validateVaultName throws InvalidInputError ERR_VAULT_NAME_INVALID naming the field", () => {
    expect(() => validateVaultName("x", "primary.vaultName")).toThrow(InvalidInputError);
    try {
      validateVaultName("Contoso-O365SP-NA-VaultA1", "primary.vaultName");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "ERR_VAULT_NAME_INVALID", field: "primary.vaultName" });
      expect((error as Error).message).toMatch(/3–24 characters long \(it has 25\)/);
    }
    expect(() => validateVaultName("contoso-exo-a1")).not.toThrow();
  });
});

describe("suggestVaultNames", () => {
  it("gives two valid names that fit in 24 characters, unlike Microsoft's 25-character example", () => {
    expect("Contoso-O365SP-NA-VaultA1".length).toBe(25);
    const s = suggestVaultNames({ prefix: "Contoso", workload: "sharePoint", geo: "NA" });
    expect(s).toEqual({ primary: "contoso-spo-na-a1", secondary: "contoso-spo-na-b1" });
  });

  it.each([
    { prefix: "A very long organisation name Ltd.", workload: "multiWorkload" as const, geo: "EUR" },
    { prefix: "123 Numbers First", workload: "exchange" as const },
    { prefix: "---", workload: "exchange" as const, geo: "a very long geo" },
    { prefix: "x", workload: "sharePoint" as const, geo: "NA" },
  ])("always valid: %o", (options) => {
    const { primary, secondary } = suggestVaultNames(options);
    expect(vaultNameProblems(primary)).toEqual([]);
    expect(vaultNameProblems(secondary)).toEqual([]);
    expect(primary).not.toBe(secondary);
  });
});

describe("plannedVaultUrl", () => {
  it("names a vault not made yet in the client's cloud", () => {
    expect(plannedVaultUrl("https://management.azure.com", "Contoso-EXO-a1")).toBe("https://contoso-exo-a1.vault.azure.net");
    expect(plannedVaultUrl("https://management.usgovcloudapi.net/", "v1")).toBe("https://v1.vault.usgovcloudapi.net");
    expect(plannedVaultUrl("https://management.chinacloudapi.cn", "v1")).toBe("https://v1.vault.azure.cn");
    expect(plannedVaultUrl("https://management.localhost:8443", "v1")).toBe("https://v1.vault.localhost:8443");
    expect(plannedVaultUrl("https://arm.example.test", "v1")).toBe("https://v1.vault.azure.net");
  });
});
