/**
 * Issue 14, reliability: the table of bad inputs through the CLI (bad-inputs.test.ts has it through
 * the SDK). Each input goes where the CLI takes it: the configuration file of plan, apply, validate,
 * status and backup, or the arguments of roll and backup. Each run must exit 2 (usage: bad input,
 * exit-codes.ts), print the error code, the message (with the path in the file) and a Fix line, no
 * stack trace without --verbose, and send no request at all: the emulator's request log holds no
 * new entry, not even a token request.
 *
 * Inputs with no CLI input of their own:
 * - an expired key is the state of a key, not something typed: `validate` fails its check (exit 1)
 *   and `apply` stops at the preflight, before any policy; both tested below, with no mutating request;
 * - a 51st policy is input when the file lists 51 (a configuration error, in the table); a tenant that
 *   already holds 50 is state, judged from reads by the SDK (bad-inputs.test.ts);
 * - the same region twice, a paired region and the vault names come only from the configuration file.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, type OnboardingConfig } from "../../src/index.js";
import { rawKeyClient } from "../../examples/shared-setup.js";
import { cli } from "../cli/cli-harness.js";
import { shareWithCli } from "../cli/shared-emulator.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

let emulator: Emulator;
let dir: string;
let state: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "ck-bad-inputs-cli-"));
  state = shareWithCli(emulator, dir);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

// The same strings as the SDK's table.
const PS_INJECTION = `EU"; Remove-Mailbox -Identity * -Confirm:$false; "`;
const PS_SUBEXPRESSION = "EU$(Remove-Mailbox -Identity *)";
const XML_INJECTION = "EU</Name><Name>x";

type Config = Omit<OnboardingConfig, "policies" | "keys" | "permissionModel" | "microsoft"> & { policies: { exchange: Record<string, unknown>[]; multiWorkload?: Record<string, unknown> }; [field: string]: unknown };

/** A configuration every command accepts: one Exchange pair and its policy. */
function validConfig(): Config {
  const [primary, secondary] = emulator.subscriptionIds as [string, string];
  return {
    tenantId: emulator.tenantId,
    subscriptions: { primary, secondary },
    administrators: [emulator.admin.userPrincipalName],
    backups: { directories: ["./online", "./offline"] },
    vaultPairs: {
      exchange: {
        primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" },
        secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" },
        keyName: "exo-root",
      },
    },
    policies: { exchange: [{ name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: ["user000001@contoso.onmicrosoft.com"] } }] },
  };
}

interface ConfigRow {
  what: string;
  change: (c: Config) => void;
  /** The path in the file and the words of its fix the message must hold. */
  message: RegExp;
  /** What it must not say. */
  not?: RegExp;
}

const exchangePair = (c: Config) => c.vaultPairs.exchange!;

const CONFIG_ROWS: ConfigRow[] = [
  { what: "a vault name of 25 characters", change: (c) => void (exchangePair(c).primary.vaultName = "contoso-exo-eu-primary-01"), message: /vaultPairs\.exchange\.primary\.vaultName: .*3–24 characters long \(it has 25\).*\(use 3–24 letters/ },
  { what: "a vault name with underscores", change: (c) => void (exchangePair(c).secondary.vaultName = "contoso_exo_eu_b1"), message: /vaultPairs\.exchange\.secondary\.vaultName: .*found "_".*\(use 3–24 letters, digits and single hyphens/ },
  { what: "a policy name with a space", change: (c) => void (c.policies.exchange[0]!.name = "EU mailboxes"), message: /policies\.exchange\[0\]\.name: 'EU mailboxes' .*no spaces.*\(use letters, digits, '_' and '-' without spaces/, not: /allowSpacesInName/ },
  {
    what: "a 51st policy",
    change: (c) => void (c.policies.exchange = Array.from({ length: 51 }, (_, i) => ({ name: `DEP_${i + 1}`, vaultPair: "exchange" }))),
    message: /policies\.exchange: a tenant holds at most 50 .*\(remove policies beyond 50, or reuse one policy/,
  },
  {
    what: "malformed key URIs (a secret's URI, http)",
    change: (c) => void (c.policies.exchange[0] = { name: "EU_uris", keyUris: ["https://contoso-exo-eu-a1.vault.azure.net/secrets/exo-root", "http://contoso-exo-eu-b1.vault.azure.net/keys/exo-root"] }),
    message: /policies\.exchange\[0\]\.keyUris\[0\]: is not a Key Vault key id[^\n]*\n  policies\.exchange\[0\]\.keyUris\[1\]: .*\(give two key URIs https:\/\/<vault>/,
  },
  { what: "a malformed key name", change: (c) => void (exchangePair(c).keyName = "exo root"), message: /vaultPairs\.exchange\.keyName: must be 1–127 letters, digits and hyphens/ },
  { what: "the same region twice", change: (c) => void (exchangePair(c).secondary.location = "westeurope"), message: /vaultPairs\.exchange\.secondary\.location: both vaults are in westeurope; put them in two different regions/ },
  { what: "a paired region", change: (c) => void (exchangePair(c).secondary.location = "northeurope"), message: /vaultPairs\.exchange\.secondary\.location: westeurope and northeurope are an Azure region pair.*allowPairedRegions: true/ },
  { what: "a PowerShell injection as a policy name", change: (c) => void (c.policies.exchange[0]!.name = PS_INJECTION), message: /policies\.exchange\[0\]\.name: .*none of/ },
  { what: "a PowerShell subexpression as the multi-workload policy name", change: (c) => void (c.policies.multiWorkload = { name: PS_SUBEXPRESSION, vaultPair: "exchange" }), message: /policies\.multiWorkload\.name: .*no spaces.*none of/ },
  { what: "an XML injection as a policy name", change: (c) => void (c.policies.exchange[0]!.name = XML_INJECTION), message: /policies\.exchange\[0\]\.name: 'EU<\/Name><Name>x' .*none of/ },
  {
    what: "a command injected into a mailbox of the list (a line break)",
    change: (c) => void (c.policies.exchange[0]!.mailboxes = { list: ["user000001@contoso.onmicrosoft.com", "user000002\nRemove-Mailbox -Identity * -Confirm:$false"] }),
    message: /policies\.exchange\[0\]\.mailboxes\.list\[1\]: is not a mailbox identity .*\(give one mailbox per entry/,
  },
  { what: "an unknown field at the top", change: (c) => void (c.extra = true), message: /^  extra: unknown field \(remove it, or check its spelling/m },
  { what: "an unknown field in a vault (a typo of location)", change: (c) => void Object.assign(exchangePair(c).primary, { region: "westeurope" }), message: /vaultPairs\.exchange\.primary\.region: unknown field/ },
  { what: "an unknown field in a policy (the SDK's option, not a field of the file)", change: (c) => void (c.policies.exchange[0]!.allowSpacesInName = true), message: /policies\.exchange\[0\]\.allowSpacesInName: unknown field/ },
];

/** Every command that reads the configuration file; `apply` would change the tenant. */
const CONFIG_COMMANDS = [["plan"], ["apply", "--journal", "JOURNAL"], ["validate"], ["validate", "--microsoft365", "--format", "html"], ["status"], ["backup"], ["roll", "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root"]];

interface Run {
  what: string;
  argv: string[];
  code: string;
  message: RegExp;
  not?: RegExp;
}

/** Runs each through the CLI in this process and lists what is wrong: exit code, output, requests sent. */
async function failuresOf(runs: Run[]): Promise<string[]> {
  const failures: string[] = [];
  for (const run of runs) {
    const label = `${run.what} → customer-key ${run.argv[0]}`;
    const seq = emulator.requests.size;
    const result = await cli(...run.argv);
    const sent = emulator.requests.list().filter((e) => e.seq >= seq);
    if (result.code !== 2) failures.push(`${label}: exit ${result.code}, expected 2. ${result.err.slice(0, 300)}`);
    if (result.out !== "") failures.push(`${label}: printed on stdout: ${result.out.slice(0, 200)}`);
    if (!result.err.startsWith(`customer-key: error ${run.code}: `)) failures.push(`${label}: no "error ${run.code}" first: ${result.err.slice(0, 300)}`);
    if (!run.message.test(result.err)) failures.push(`${label}: the message lacks ${run.message}: ${result.err}`);
    if (run.not?.test(result.err)) failures.push(`${label}: the message says ${run.not}: ${result.err}`);
    if (/\(([^()]{12,})\) \(\1/.test(result.err)) failures.push(`${label}: the same fix twice: ${result.err}`);
    if (!/\nFix: \S/.test(result.err)) failures.push(`${label}: no Fix line`);
    if (/\n\s+at /.test(result.err)) failures.push(`${label}: a stack trace without --verbose`);
    if (sent.length > 0) failures.push(`${label}: ${sent.length} request(s) sent: ${sent.map((e) => `${e.service} ${e.method} ${e.operation ?? e.path}`).join(", ")}`);
  }
  return failures;
}

describe("bad inputs through the CLI: exit 2, the code, the message and the fix, before any request", () => {
  it("the valid configuration the rows start from passes plan (so each row fails for its own change)", async () => {
    const file = join(dir, "valid.json");
    writeFileSync(file, JSON.stringify(validConfig()));
    const result = await cli("plan", "--config", file, "--state", state, "--json");
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
  });

  it("every configuration row, through every command that reads the file", async () => {
    const runs: Run[] = [];
    for (const [i, row] of CONFIG_ROWS.entries()) {
      const config = validConfig();
      row.change(config);
      const file = join(dir, `row-${i}.yaml`);
      // YAML, as operators write it (JSON is YAML too); the loader picks the parser from the extension.
      writeFileSync(file, JSON.stringify(config, null, 2));
      for (const command of CONFIG_COMMANDS) {
        const argv = [...command.map((a) => (a === "JOURNAL" ? join(dir, `row-${i}.journal.json`) : a)), "--config", file, "--state", state];
        runs.push({ what: row.what, argv, code: "ERR_CONFIG_INVALID", message: row.message, ...(row.not ? { not: row.not } : {}) });
      }
    }
    expect(runs).toHaveLength(CONFIG_ROWS.length * CONFIG_COMMANDS.length);
    expect(await failuresOf(runs)).toEqual([]);
  });

  it("every argument row: key URIs given to roll and backup", async () => {
    const good = `${emulator.endpoints.vaultUrl("contoso-exo-eu-a1")}/keys/exo-root`;
    const to = join(dir, "backups");
    const malformed: [string, string, RegExp][] = [
      ["a secret's URI", "https://contoso-exo-eu-a1.vault.azure.net/secrets/exo-root", /the path is not \/keys\//],
      ["http", "http://contoso-exo-eu-a1.vault.azure.net/keys/exo-root", /not https/],
      ["a vault and key name, not a URI", "contoso-exo-eu-a1/exo-root", /not a URL/],
      ["a bad version", "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root/not-a-version", /32 hex digits/],
      ["a PowerShell injection", `https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root"; Remove-Mailbox -Identity *; "`, /not a Key Vault key URI/],
      ["an XML injection", "https://contoso-exo-eu-a1.vault.azure.net/keys/</Name><Name>x", /not a Key Vault key URI/],
    ];
    const runs: Run[] = malformed.flatMap(([what, uri, why]) => [
      { what, argv: ["roll", uri, "--state", state, "--backup-dir", to], code: "ERR_KEY_ID_INVALID", message: why },
      // No configuration at all: the URI is still the error reported.
      { what: `${what}, no configuration`, argv: ["roll", uri, "--state", state, "--config", join(dir, "none.yaml")], code: "ERR_KEY_ID_INVALID", message: why },
      { what, argv: ["backup", "--key", uri, "--to", to, "--state", state], code: "ERR_KEY_ID_INVALID", message: why },
      // A good key first: the bad one is still found before the good one is backed up.
      { what: `${what} after a good one`, argv: ["backup", "--key", good, "--key", uri, "--to", to, "--state", state], code: "ERR_KEY_ID_INVALID", message: why },
    ]);
    expect(await failuresOf(runs)).toEqual([]);
  });
});

describe("an expired key, which no command takes as input: a failed check, not a usage error", () => {
  it("validate exits 1 naming the key's expiry; apply stops at the preflight, before any policy; neither changes the tenant", async () => {
    // A vault pair made right (Do-Not-Cancel approved, access granted), whose keys were given an expiry by hand.
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
    await registerDoNotCancelApproved(client, emulator);
    const config = validConfig();
    const pair = exchangePair(config);
    Object.assign(pair, { keyName: "exo-expired" });
    pair.primary.vaultName = "contoso-exp-eu-a1";
    pair.secondary.vaultName = "contoso-exp-eu-b1";
    const [a, b] = emulator.subscriptionIds as [string, string];
    await client.vaultPairs.beginApply(
      await client.vaultPairs.plan({
        workload: "exchange",
        permissionModel: "accessPolicy",
        administrators: [emulator.admin.userPrincipalName],
        primary: { subscriptionId: a, ...pair.primary },
        secondary: { subscriptionId: b, ...pair.secondary },
      }),
    );
    for (const vault of [pair.primary.vaultName, pair.secondary.vaultName]) {
      await rawKeyClient(emulator, emulator.endpoints.vaultUrl(vault)).createRsaKey("exo-expired", { hsm: true, keySize: 3072, expiresOn: new Date(Date.now() - 86_400_000) });
    }
    Object.assign(config, { microsoft: { onboardingRequestSubmitted: true } });
    const file = join(dir, "expired.yaml");
    writeFileSync(file, JSON.stringify(config, null, 2));

    let seq = emulator.requests.size;
    const validate = await cli("validate", "--config", file, "--state", state, "--json");
    expect(validate.code).toBe(1);
    const [report] = JSON.parse(validate.out) as { checks: { id: string; status: string; keyName?: string; evidence: string; remediation: string }[] }[];
    const expiry = report!.checks.filter((c) => c.id === "key.expiry");
    expect(expiry.map((c) => [c.status, c.keyName])).toEqual([["fail", "exo-expired"], ["fail", "exo-expired"]]);
    expect(expiry[0]!.remediation).not.toBe("");
    expect(emulator.requests.mutating(seq)).toEqual([]);

    seq = emulator.requests.size;
    const apply = await cli("apply", "--config", file, "--state", state, "--journal", join(dir, "expired.journal.json"));
    // Checks failed: exit 1 as with validate, each failing check with what it saw and its fix, no stack trace.
    expect(apply.code).toBe(1);
    expect(apply.err).toContain("customer-key: error ERR_PREFLIGHT_FAILED: The preflight report of the exchange pair failed (key.expiry, key.expiry); no policy was made.");
    expect(apply.err).toMatch(/^FAIL key\.expiry \(.*contoso-exp-eu-a1.*\): /m);
    expect(apply.err).toMatch(/^ {5}Fix: \S/m);
    expect(apply.err).toMatch(/^Fix: Correct each failing check listed above/m);
    expect(apply.err).not.toMatch(/\n\s+at /);
    for (const line of apply.err.split("\n").filter((l) => /^(FAIL | {5}Fix: | {5}\S)/.test(l))) expect(line.length).toBeLessThanOrEqual(100);
    // Everything before the preflight was there already: nothing changed, no policy made.
    expect(emulator.requests.mutating(seq)).toEqual([]);
    expect(emulator.requests.list({ service: "exchange" }).filter((e) => e.seq >= seq && /^(New|Set)-/.test(e.operation ?? ""))).toEqual([]);
  }, 180_000);
});
