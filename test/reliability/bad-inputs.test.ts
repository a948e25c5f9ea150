/**
 * Issue 14, reliability: a table of bad inputs through the SDK. Each must end in a typed error
 * (a CustomerKeyError subclass with a stable code from CUSTOMER_KEY_ERROR_CODES) whose message says
 * what to do, before any request: the emulator's request log holds no new entry (Entra ID token
 * requests aside, which the credential makes on its own). Inputs that can only be judged from the
 * service's state (a 51st policy, an expired key) are judged from reads: no mutating request.
 *
 * The same table through the CLI (configuration file and arguments, exit codes) is bad-inputs-cli.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawKeyClient, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { CUSTOMER_KEY_ERROR_CODES, CustomerKeyError, ExchangeRestTransport, type VaultPairSpec } from "../../src/index.js";

let scenario: Scenario;

beforeAll(async () => {
  scenario = await startScenario();
}, 60_000);

afterAll(async () => {
  await scenario?.stop();
});

const PS_INJECTION = `EU"; Remove-Mailbox -Identity * -Confirm:$false; "`;
const PS_SUBEXPRESSION = "EU$(Remove-Mailbox -Identity *)";
const XML_INJECTION = "EU</Name><Name>x";

function spec(change: (s: VaultPairSpec) => void): VaultPairSpec {
  const s = structuredClone(scenario.spec);
  change(s);
  return s;
}

interface Row {
  what: string;
  call: () => Promise<unknown>;
  code: string;
  /** Words of the fix the message must hold. */
  fix: RegExp;
}

const rows = (): Row[] => {
  const { client } = scenario;
  const keyUris = scenario.keyUris;
  return [
    // The seed's own examples: 25 characters, and underscores.
    { what: "vault name of 25 characters", call: () => client.vaultPairs.plan(spec((s) => void (s.primary.vaultName = "contoso-exo-eu-primary-01"))), code: "ERR_VAULT_NAME_INVALID", fix: /24/ },
    { what: "vault name with underscores", call: () => client.vaultPairs.plan(spec((s) => void (s.primary.vaultName = "contoso_exo_eu_a1"))), code: "ERR_VAULT_NAME_INVALID", fix: /letters|hyphen/i },
    { what: "the same region twice", call: () => client.vaultPairs.plan(spec((s) => void (s.secondary.location = s.primary.location))), code: "ERR_REGIONS_SAME", fix: /two different regions/ },
    { what: "a paired region", call: () => client.vaultPairs.plan(spec((s) => void (s.secondary.location = "northeurope"))), code: "ERR_REGIONS_PAIRED", fix: /allowPairedRegions|another region/ },
    { what: "the same subscription twice", call: () => client.vaultPairs.plan(spec((s) => void (s.secondary.subscriptionId = s.primary.subscriptionId))), code: "ERR_SUBSCRIPTIONS_NOT_DISTINCT", fix: /own subscription/ },
    { what: "an unknown option in a spec (a typo)", call: () => client.vaultPairs.plan({ ...scenario.spec, allowPairedRegion: true } as VaultPairSpec), code: "ERR_SPEC_INVALID", fix: /allowPairedRegion/ },
    { what: "a policy name with a space", call: () => client.policies.exchange.create({ name: "EU mailboxes", keyUris }), code: "ERR_POLICY_NAME_INVALID", fix: /allowSpacesInName/ },
    { what: "a PowerShell injection as a policy name", call: () => client.policies.exchange.create({ name: PS_INJECTION, keyUris }), code: "ERR_POLICY_NAME_INVALID", fix: /none of/ },
    { what: "a PowerShell subexpression as a policy name", call: () => client.policies.multiWorkload.create({ name: PS_SUBEXPRESSION, keyUris }), code: "ERR_POLICY_NAME_INVALID", fix: /none of|spaces/ },
    { what: "an XML injection as a policy name", call: () => client.policies.exchange.create({ name: XML_INJECTION, keyUris }), code: "ERR_POLICY_NAME_INVALID", fix: /none of/ },
    { what: "a malformed key URI (no /keys/)", call: () => client.policies.exchange.create({ name: "EU_x", keyUris: ["https://contoso-exo-eu-a1.vault.azure.net/secrets/exo-root", keyUris[1]!] }), code: "ERR_POLICY_KEY_URIS_INVALID", fix: /\/keys\// },
    { what: "a malformed key URI (http)", call: () => client.policies.multiWorkload.create({ name: "M365_x", keyUris: [keyUris[0]!.replace("https:", "http:"), keyUris[1]!] }), code: "ERR_POLICY_KEY_URIS_INVALID", fix: /https:\/\// },
    { what: "a malformed key URI (bad version)", call: () => client.policies.exchange.create({ name: "EU_x", keyUris: [`${keyUris[0]!.replace(/\/[0-9a-f]{32}$/, "")}/not-a-version`, keyUris[1]!] }), code: "ERR_POLICY_KEY_URIS_INVALID", fix: /version/ },
    { what: "both key URIs in one vault", call: () => client.policies.exchange.create({ name: "EU_x", keyUris: [keyUris[0]!, keyUris[0]!] }), code: "ERR_POLICY_KEY_URIS_INVALID", fix: /two vaults/ },
    { what: "one key URI only", call: () => client.policies.exchange.create({ name: "EU_x", keyUris: [keyUris[0]!] }), code: "ERR_POLICY_KEY_URIS_INVALID", fix: /exactly two/ },
    { what: "a malformed key URI to SharePoint", call: () => client.policies.sharePoint.beginRegister({ primaryKeyUri: "contoso-spo-eu-a1/spo-root", secondaryKeyUri: keyUris[1]! }).pollUntilDone(), code: "ERR_KEY_ID_INVALID", fix: /https:\/\// },
    { what: "a malformed key id to keys.roll", call: () => client.keys.roll("not a key id"), code: "ERR_KEY_ID_INVALID", fix: /https:\/\// },
    { what: "a mailbox identity that is empty", call: () => client.policies.exchange.beginAssign(["user000001@contoso.onmicrosoft.com", " "], "EU_mailboxes").pollUntilDone(), code: "ERR_MAILBOXES_INVALID", fix: /identity/ },
    { what: "a mailbox identity with a line break (script injection)", call: () => client.policies.exchange.assign("user000001\nRemove-Mailbox -Identity *", "EU_mailboxes"), code: "ERR_MAILBOXES_INVALID", fix: /identity/ },
    { what: "a mailbox identity with a line break in a bulk list", call: () => client.policies.exchange.beginAssign(["user000001@contoso.onmicrosoft.com", "user000002\r\nRemove-Mailbox"], "EU_mailboxes").pollUntilDone(), code: "ERR_MAILBOXES_INVALID", fix: /line breaks/ },
    { what: "an unknown field in a vault of the spec", call: () => client.vaultPairs.plan(spec((s) => Object.assign(s.secondary, { region: "swedencentral" }))), code: "ERR_SPEC_INVALID", fix: /secondary\.location/ },
    { what: "concurrency out of range (an option)", call: () => client.policies.exchange.beginAssign(["user000001@contoso.onmicrosoft.com"], "EU_mailboxes", { concurrency: 1000 }).pollUntilDone(), code: "ERR_MAILBOXES_INVALID", fix: /1 to 64/ },
  ];
};

/** Requests other than Entra ID's token requests. */
const serviceRequests = (since: number) => scenario.emulator.requests.list().filter((e) => e.seq >= since && e.service !== "identity");

describe("bad inputs: a typed error with its fix, before any request", () => {
  it("every row of the table", async () => {
    const failures: string[] = [];
    for (const row of rows()) {
      const seq = scenario.emulator.requests.size;
      const error = await Promise.resolve().then(row.call).then(() => undefined, (e: unknown) => e);
      const sent = serviceRequests(seq);
      if (!(error instanceof CustomerKeyError)) {
        failures.push(`${row.what}: ${error === undefined ? "accepted" : `untyped ${String(error)}`}`);
        continue;
      }
      if (error.code !== row.code) failures.push(`${row.what}: ${error.code} (expected ${row.code}): ${error.message}`);
      if (!(CUSTOMER_KEY_ERROR_CODES as readonly string[]).includes(error.code)) failures.push(`${row.what}: ${error.code} is not a published code`);
      if (!row.fix.test(error.message)) failures.push(`${row.what}: the message gives no fix (${row.fix}): ${error.message}`);
      if (sent.length > 0) failures.push(`${row.what}: ${sent.length} request(s) sent first: ${sent.map((e) => `${e.method} ${e.operation ?? e.path}`).join(", ")}`);
    }
    expect(failures).toEqual([]);
  });

  it("an expired key and a 51st policy are refused from reads alone: no mutating request", async () => {
    const { client, emulator } = scenario;
    // 50 DEPs, the most Exchange Online allows, made with the transport directly.
    const exchange = new ExchangeRestTransport({ credential: emulator.credential(), tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, ...emulator.clientOptions() });
    for (let i = 1; i <= 50; i++) await exchange.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: `DEP_${i}`, AzureKeyIDs: scenario.keyUris } });
    let seq = emulator.requests.size;
    const limit = await client.policies.exchange.create({ name: "DEP_51", keyUris: scenario.keyUris }).then(() => undefined, (e: unknown) => e);
    expect(limit).toBeInstanceOf(CustomerKeyError);
    expect((limit as CustomerKeyError).code).toBe("ERR_POLICY_LIMIT_REACHED");
    expect((limit as Error).message).toMatch(/reuse one/);
    expect(emulator.requests.mutating(seq)).toEqual([]);

    // An expired key (made with the plain Azure client, as someone might by hand; the SDK sets no expiry).
    const keyClient = rawKeyClient(emulator, new URL(scenario.keyUris[0]!).origin);
    const expiredKey = await keyClient.createRsaKey("exo-expired", { hsm: true, keySize: 3072, expiresOn: new Date(Date.now() - 86_400_000) });
    seq = emulator.requests.size;
    const expired = await client.policies.multiWorkload.create({ name: "M365_expired", keyUris: [expiredKey.id!, scenario.keyUris[1]!] }).then(() => undefined, (e: unknown) => e);
    expect(expired).toBeInstanceOf(CustomerKeyError);
    expect((expired as CustomerKeyError).code).toBe("ERR_POLICY_KEY_UNUSABLE");
    expect((expired as Error).message).toMatch(/expires .*9999-12-31/);
    expect(emulator.requests.mutating(seq)).toEqual([]);
  }, 60_000);
});
