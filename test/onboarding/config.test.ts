import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOnboardingConfig, OnboardingConfigError, parseOnboardingConfig } from "../../src/index.js";

const SUB_A = "11111111-1111-1111-1111-111111111111";
const SUB_B = "22222222-2222-2222-2222-222222222222";
const KEY_A = "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root";
const KEY_B = "https://contoso-exo-eu-b1.vault.azure.net/keys/exo-root";

const valid = () => ({
  tenantId: "33333333-3333-3333-3333-333333333333",
  subscriptions: { primary: SUB_A, secondary: SUB_B },
  administrators: ["admin@contoso.com"],
  backups: { directories: ["./backups", "/mnt/offline/backups"] },
  vaultPairs: {
    exchange: {
      primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" },
      secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" },
      keyName: "exo-root",
    },
  },
  policies: { exchange: [{ name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { allWithoutPolicy: true } }] },
});

type Config = ReturnType<typeof valid> & Record<string, unknown>;
const problemsOf = (edit: (c: Config) => void) => {
  const config = valid() as Config;
  edit(config);
  try {
    parseOnboardingConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(OnboardingConfigError);
    expect((error as OnboardingConfigError).code).toBe("ERR_CONFIG_INVALID");
    return (error as OnboardingConfigError).problems;
  }
  throw new Error("parsed without problems");
};

describe("onboarding configuration", () => {
  it("parses a valid configuration and fills the defaults", () => {
    const config = parseOnboardingConfig(valid());
    expect(config.keys).toEqual({ size: 3072, protection: "hsm" });
    expect(config.permissionModel).toBe("accessPolicy");
    expect(config.microsoft.onboardingRequestSubmitted).toBe(false);
  });

  const table: Array<[string, (c: Config) => void, string, RegExp]> = [
    ["a vault name of 25 characters (Microsoft's own example)", (c) => (c.vaultPairs.exchange.primary.vaultName = "Contoso-O365SP-NA-VaultA1"), "vaultPairs.exchange.primary.vaultName", /3–24 characters/],
    ["a vault name with underscores", (c) => (c.vaultPairs.exchange.secondary.vaultName = "contoso_exo_b1"), "vaultPairs.exchange.secondary.vaultName", /letters, digits and hyphens/],
    ["a policy name with a space", (c) => (c.policies.exchange[0]!.name = "EU mailboxes"), "policies.exchange[0].name", /no spaces/],
    ["a 51st policy", (c) => (c.policies.exchange = Array.from({ length: 51 }, (_, i) => ({ name: `P${i}`, vaultPair: "exchange", mailboxes: { allWithoutPolicy: true } }))), "policies.exchange", /at most 50/],
    ["a malformed key URI", (c) => (c.policies.exchange[0] = { name: "EU_mailboxes", keyUris: [KEY_A, "https://contoso-exo-eu-b1.vault.azure.net/secrets/x"] } as never), "policies.exchange[0].keyUris[1]", /not a Key Vault key id/],
    ["two key URIs in one vault", (c) => (c.policies.exchange[0] = { name: "EU_mailboxes", keyUris: [KEY_A, KEY_A.replace("exo-root", "other")] } as never), "policies.exchange[0].keyUris", /each of two vaults/],
    ["the same region twice", (c) => (c.vaultPairs.exchange.secondary.location = "westeurope"), "vaultPairs.exchange.secondary.location", /two different regions/],
    ["a paired region", (c) => (c.vaultPairs.exchange.secondary.location = "northeurope"), "vaultPairs.exchange.secondary.location", /region pair/],
    ["an unknown region", (c) => (c.vaultPairs.exchange.primary.location = "moon-south"), "vaultPairs.exchange.primary.location", /not a known Azure region/],
    ["an unknown field", (c) => (c["tenant"] = "contoso"), "tenant", /unknown field/],
    ["an unknown nested field", (c) => ((c.vaultPairs.exchange as Record<string, unknown>)["keySize"] = 4096), "vaultPairs.exchange.keySize", /unknown field/],
    ["the same subscription twice", (c) => (c.subscriptions.secondary = SUB_A), "subscriptions.secondary", /same/],
    ["one backup directory", (c) => (c.backups.directories = ["./backups"]), "backups.directories", /at least two/],
    ["a policy naming a pair not in the file", (c) => (c.policies.exchange[0]!.vaultPair = "sharePoint"), "policies.exchange[0].vaultPair", /not in this file/],
    ["reassignFrom with allWithoutPolicy (it never takes a mailbox that has a policy)", (c) => ((c.policies.exchange[0] as Record<string, unknown>)["reassignFrom"] = ["US_mailboxes"]), "policies.exchange[0].reassignFrom", /mailboxes\.list or mailboxes\.file/],
    ["reassignFrom naming the policy itself", (c) => (c.policies.exchange[0] = { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: ["a@contoso.com"] }, reassignFrom: ["eu_mailboxes"] } as never), "policies.exchange[0].reassignFrom", /the policy itself/],
    ["a tenant that is not a GUID", (c) => (c.tenantId = "contoso.onmicrosoft.com"), "tenantId", /GUID/],
  ];
  it.each(table)("refuses %s with its path and a fix", (_name, edit, at, message) => {
    const problems = problemsOf(edit);
    const problem = problems.find((p) => p.path === at);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem!.message).toMatch(message);
    expect(problem!.fix.length).toBeGreaterThan(5);
  });

  it("lists every problem as `path: message (fix)` in the message", () => {
    try {
      parseOnboardingConfig({ ...valid(), extra: 1, tenantId: "x" });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^\s+extra: unknown field \(remove it/m);
      expect(message).toMatch(/^\s+tenantId: .+GUID.+ \(.+\)$/m);
    }
  });

  describe("files", () => {
    let dir: string;
    afterAll(async () => dir && rm(dir, { recursive: true, force: true }));
    it("loads YAML and JSON, resolving paths against the file, and names the file in errors", async () => {
      dir = await mkdtemp(path.join(tmpdir(), "ck-config-"));
      const { stringify } = await import("yaml");
      await writeFile(path.join(dir, "customer-key.config.yaml"), stringify(valid()));
      const fromYaml = await loadOnboardingConfig(path.join(dir, "customer-key.config.yaml"));
      expect(fromYaml.backups.directories[0]).toBe(path.join(dir, "backups"));
      await writeFile(path.join(dir, "bad.json"), JSON.stringify({ ...valid(), unknown: true }));
      await expect(loadOnboardingConfig(path.join(dir, "bad.json"))).rejects.toThrow(/bad\.json has 1 problem/);
      await writeFile(path.join(dir, "broken.json"), '{\n  "tenantId": "x",\n  nope\n}');
      // Where the syntax breaks, as line and column.
      await expect(loadOnboardingConfig(path.join(dir, "broken.json"))).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID", message: expect.stringMatching(/line 3, column \d+/) });
    });

    it("names a mailbox file that is not there, and a key size that is not allowed, with their fixes", async () => {
      dir ??= await mkdtemp(path.join(tmpdir(), "ck-config-"));
      const config = valid() as Record<string, any>;
      config.keys = { size: 1024 };
      config.policies = { exchange: [{ name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { file: "no-such-list.txt" } }] };
      await writeFile(path.join(dir, "sizes.json"), JSON.stringify(config));
      await expect(loadOnboardingConfig(path.join(dir, "sizes.json"))).rejects.toThrow(/keys\.size: .*use 2048, 3072 or 4096/);
      config.keys = { size: 3072 };
      await writeFile(path.join(dir, "list.json"), JSON.stringify(config));
      const error = (await loadOnboardingConfig(path.join(dir, "list.json")).catch((e: unknown) => e)) as OnboardingConfigError;
      expect(error).toBeInstanceOf(OnboardingConfigError);
      expect(error.problems[0]).toMatchObject({ path: "policies.exchange[0].mailboxes.file", message: expect.stringContaining("ENOENT"), fix: expect.stringContaining("relative to the configuration file") });
      expect(error.message).not.toMatch(/\(\(|\)\)/);
    });
  });
});
