/**
 * Issue 11 §6: no secret in any log line, whoever's logger writes it. An onboarding (Do-Not-Cancel,
 * vault pair plan and apply, an RSA-HSM key in each vault, a BYOK import, backups, a wrap and unwrap
 * through `keys.rootKey()` by an application, validate) runs against the emulator with the Azure
 * SDK's logging at `verbose`. Every line of every logger is captured (AzureLogger.log, which the
 * `customer-key` logger and every `@azure/*` logger write through, a client logger of our own, and
 * console), and none may hold a JWT, a client secret or password of the emulator's principals, a
 * secret of the TLS options, or key material (backup blob bytes, the private fields of the imported JWK, a wrapped data key).
 *
 * The agent handed out by `emulator.clientOptions()` (and any agent a user passes for a proxy or a
 * private CA) used to ride on every request the Azure SDK logs; its busy sockets hold the raw
 * request text, `Authorization: Bearer eyJ…` included. The emulator's own agent now serializes as a
 * name, so these tests give the clients an agent of the user's own (as for a proxy or a private CA):
 * the control test shows the capture sees the leak in a bare Azure client given such an agent, so
 * the onboarding test can fail.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs } from "../helpers/log-capture.js";
import { Agent } from "node:https";
import { emulatorLookup, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, ExchangeRestTransport, SharePointRestTransport, type CustomerKeyLogger } from "../../src/index.js";
import { createAgentHttpClient } from "../../src/internal/agent-http-client.js";
import { pairSpec } from "./client-fixtures.js";
import { createVault, tempDir } from "./keys-fixtures.js";

const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ/;
const TLS_PASSPHRASE = `tls-passphrase-${randomBytes(8).toString("hex")}`;

let emulator: Emulator;
const lines: string[] = [];
let capture: ReturnType<typeof captureLogs> | undefined;

beforeAll(async () => {
  emulator = await startEmulator();
  capture = captureLogs(lines);
});

afterAll(async () => {
  capture?.stop();
  await emulator?.stop();
});

/** An agent as a user makes one (trusting the emulator's CA): nothing hides it from a logger. */
function userAgent(): Agent {
  return new Agent({ ca: emulator.caCertificate, keepAlive: true, lookup: emulatorLookup as never });
}

/** Credentials whose own token requests keep the agent off the logged request too. */
function logSafeOptions() {
  const { agent } = emulator.clientOptions();
  return { authorityHost: emulator.endpoints.authorityHost, disableInstanceDiscovery: true, httpClient: createAgentHttpClient(agent) };
}

/** Every secret of the emulator's principals: passwords and client secrets. */
function principalSecrets(): string[] {
  return [
    ...emulator.directory.users.map((u) => u.password),
    ...emulator.directory.servicePrincipals.flatMap((sp) => sp.secrets),
  ].filter((s): s is string => typeof s === "string" && s.length >= 8);
}

/** Distinctive 24-character pieces of a byte string, in the encodings a log could show it in. */
function fragments(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  const out: string[] = [];
  for (const encoding of ["base64", "base64url", "hex"] as const) {
    const text = b.toString(encoding);
    for (let i = 0; i + 24 <= text.length && out.length < 400; i += Math.max(24, Math.floor(text.length / 8))) out.push(text.slice(i, i + 24));
  }
  return out;
}

function findings(secrets: { label: string; values: string[] }[]): string[] {
  const found: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (JWT.test(line)) found.push(`line ${index}: a JWT (${line.slice(0, 80)}…)`);
    for (const { label, values } of secrets) {
      for (const value of values) if (value && line.includes(value)) found.push(`line ${index}: ${label}`);
    }
  }
  return found;
}

describe("logging at verbose (issue 11 §6)", () => {
  it("control: a bare Azure client given the agent as an option writes the bearer token into its request log", async () => {
    const { vaultUrl } = await createVault(emulator, { subscriptionId: emulator.subscriptionIds[0]!, resourceGroup: "rg-log-control", location: "westeurope", name: "ck-log-control" });
    const bare = new KeyClient(vaultUrl, new UsernamePasswordCredential(emulator.tenantId, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", emulator.admin.userPrincipalName, emulator.admin.password, logSafeOptions()), { agent: userAgent() });
    lines.length = 0;
    // Requests in flight together: each logged request serializes the agent, whose busy sockets hold the others' raw text.
    await Promise.all(Array.from({ length: 6 }, (_, i) => bare.getKey(`missing-${i}`).catch(() => undefined)));
    expect(lines.some((l) => l.includes("Request: {"))).toBe(true);
    expect(lines.some((l) => JWT.test(l))).toBe(true);
  });

  it("the emulator's own clientOptions() keep the token out of a bare Azure client's request log", async () => {
    const { vaultUrl } = await createVault(emulator, { subscriptionId: emulator.subscriptionIds[0]!, resourceGroup: "rg-log-emulator", location: "westeurope", name: "ck-log-emulator" });
    const bare = new KeyClient(vaultUrl, emulator.credential(), emulator.clientOptions());
    lines.length = 0;
    await Promise.all(Array.from({ length: 6 }, (_, i) => bare.getKey(`missing-${i}`).catch(() => undefined)));
    expect(lines.some((l) => l.includes("Request: {"))).toBe(true);
    expect(lines.filter((l) => JWT.test(l))).toEqual([]);
  });

  it("the Microsoft 365 transports given a user's agent keep the token out of every log line", async () => {
    const agent = userAgent();
    const exchange = new ExchangeRestTransport({ credential: emulator.credential(), tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, agent });
    const sharePoint = new SharePointRestTransport({ credential: emulator.credential(), adminSiteUrl: emulator.endpoints.sharePointAdmin, agent });
    lines.length = 0;
    await Promise.all([
      ...Array.from({ length: 4 }, () => exchange.invoke({ cmdlet: "Get-Mailbox", parameters: {} }, { resultSize: 5 })),
      ...Array.from({ length: 4 }, () => sharePoint.getTenantKeyStatus()),
    ]);
    expect(lines.some((l) => l.includes("Request: {"))).toBe(true);
    expect(lines.filter((l) => JWT.test(l))).toEqual([]);
  });

  it("an onboarding through CustomerKeyClient leaves no token, client secret or key material in any log line", async () => {
    const backupDirectory = await tempDir();
    const ourLines: string[] = [];
    const logger: CustomerKeyLogger = {
      info: (m) => void ourLines.push(m),
      warning: (m) => void ourLines.push(m),
      verbose: (m) => void ourLines.push(m),
      error: (m) => void ourLines.push(m),
    };
    const options = {
      tenantId: emulator.tenantId,
      endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
      agent: userAgent(), // an agent of the user's own, for a proxy or a private CA
      // TLS settings ride on the logged request the same way (a client certificate's key); with an agent given they are not used.
      tlsOptions: { passphrase: TLS_PASSPHRASE },
      pollIntervalInMs: 20,
      retry: { retryDelayInMs: 10 },
    };
    const adminCredential = new UsernamePasswordCredential(emulator.tenantId, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", emulator.admin.userPrincipalName, emulator.admin.password, logSafeOptions());
    const client = new CustomerKeyClient(adminCredential, options);
    const clientWithOwnLogger = new CustomerKeyClient(adminCredential, { ...options, logger });
    lines.length = 0;

    for (const id of emulator.subscriptionIds.slice(0, 2)) {
      const poller = client.subscriptions.beginRegisterDoNotCancel(id);
      await poller.poll();
      emulator.approveDoNotCancel(id);
      await poller.pollUntilDone();
    }
    const spec = { ...pairSpec(emulator), key: { name: "exo-root", size: 3072 as const, protection: "hsm" as const } };
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
    const keyIds: string[] = [];
    for (const member of [spec.primary, spec.secondary]) {
      const { key } = await clientWithOwnLogger.keys.create(member, "exo-root", { size: 3072, protection: "hsm" });
      await client.backups.backupKey(key.id, { directory: backupDirectory });
      keyIds.push(key.id);
    }
    // BYOK: the private parts of this JWK must never be logged.
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    await clientWithOwnLogger.keys.import(spec.primary, "byok-root", jwk as never, { protection: "hsm" });

    // An application (not an administrator: they hold no wrapKey) uses the key as a root key.
    const app = emulator.directory.createServicePrincipal({ displayName: "envelope-app" });
    const kvm = new KeyVaultManagementClient(adminCredential, spec.primary.subscriptionId, {
      endpoint: emulator.endpoints.resourceManager,
      credentials: { scopes: ["https://management.azure.com/.default"] },
      httpClient: createAgentHttpClient(emulator.clientOptions().agent),
    });
    await kvm.vaults.updateAccessPolicy(spec.primary.resourceGroup, spec.primary.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: app.objectId, permissions: { keys: ["get", "wrapKey", "unwrapKey"] } }] },
    });
    const appClient = new CustomerKeyClient(new ClientSecretCredential(emulator.tenantId, app.appId, app.secrets[0]!, logSafeOptions()), options);
    const dataKey = randomBytes(32);
    const rootKey = appClient.keys.rootKey(keyIds[0]!);
    const wrapped = await rootKey.wrapKey(dataKey);
    expect(Buffer.from(await rootKey.unwrapKey(wrapped)).equals(dataKey)).toBe(true);

    const report = await clientWithOwnLogger.validate({ ...spec, backupDirectory });
    expect(report.ok, report.toMarkdown()).toBe(true);

    lines.push(...ourLines.map((l) => `own logger: ${l}`));
    // The capture saw the Azure SDK's request lines and ours: the test looks at real output.
    expect(lines.some((l) => l.startsWith("azure:keyvault-keys:info Request:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("azure:customer-key:verbose"))).toBe(true);
    expect(ourLines.some((l) => l.startsWith("keys.create"))).toBe(true);

    const backups: Uint8Array[] = [];
    for (const file of await readdir(backupDirectory)) if (!file.endsWith(".json")) backups.push(await readFile(path.join(backupDirectory, file)));
    expect(backups.length).toBeGreaterThanOrEqual(2);
    const privateFields = (["d", "p", "q", "dp", "dq", "qi"] as const).map((f) => (jwk as Record<string, string>)[f]!);
    const found = findings([
      { label: "a principal's password or client secret", values: principalSecrets() },
      { label: "the TLS options' passphrase", values: [TLS_PASSPHRASE] },
      { label: "backup blob bytes", values: backups.flatMap((b) => fragments(b)) },
      { label: "a private JWK field", values: privateFields.flatMap((f) => [f.slice(0, 24), f.slice(-24)]) },
      { label: "the data key or its wrapped form", values: [...fragments(dataKey), ...fragments(wrapped.encryptedKey)] },
    ]);
    expect(found).toEqual([]);
  });
});
