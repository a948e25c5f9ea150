/**
 * ExchangeRestTransport against the emulated Exchange Online, over real HTTPS with tokens from the
 * emulated Entra ID: every cmdlet, paging across 3 pages and its expired-cursor fallback, $batch,
 * warnings, each error class as its typed error, 429 retried after Retry-After, abort mid-page.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  ExchangeCommandError,
  ExchangeRestTransport,
  InvalidInputError,
  OperationAbortedError,
  type CustomerKeyLogger,
  type ExchangeRestTransportOptions,
} from "../../src/index.js";
import { customerKeyVaults } from "../emulator/helpers/exchange-client.js";
import { rejection } from "../helpers/rejection.js";

let emulator: Emulator;
let keyIds: string[];
const lines: string[] = [];
const logger: CustomerKeyLogger = { info: (l) => lines.push(l), warning: (l) => lines.push(`WARN ${l}`), verbose: (l) => lines.push(l), error: (l) => lines.push(l) };

beforeAll(async () => {
  emulator = await startEmulator({ exchange: { mailboxes: 250, mailUsers: 5 } });
  ({ keyIds } = await customerKeyVaults(emulator));
});
afterAll(() => emulator?.stop());

function transport(options: Partial<ExchangeRestTransportOptions> = {}): ExchangeRestTransport {
  return new ExchangeRestTransport({
    credential: emulator.credentialFor(emulator.admin.userPrincipalName),
    tenantId: emulator.tenantId,
    endpoint: emulator.endpoints.exchange,
    ...emulator.clientOptions(),
    retry: { retryDelayInMs: 5 },
    logger,
    ...options,
  });
}

/** A pipeline policy that runs `after` once the `n`th response (1-based) has arrived. */
function afterResponse(n: number, after: () => void): { policy: PipelinePolicy; position: "perCall" } {
  let seen = 0;
  return {
    position: "perCall",
    policy: {
      name: "after-response",
      async sendRequest(request, next) {
        const response = await next(request);
        if (++seen === n) after();
        return response;
      },
    },
  };
}

const exchangeRequests = (since: number) => emulator.requests.list({ service: "exchange" }).filter((e) => e.seq >= since);

describe("ExchangeRestTransport: each cmdlet against the emulator", () => {
  it("creates, reads, refreshes and assigns a mailbox DEP; assigns a mail user; reads statistics", async () => {
    const exo = transport();
    const created = await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "EU_mailboxes", AzureKeyIDs: keyIds, Description: "EU" } });
    expect(created.value[0]).toMatchObject({ Name: "EU_mailboxes", AzureKeyIDs: keyIds, Enabled: true });
    const all = await exo.invoke({ cmdlet: "Get-DataEncryptionPolicy" });
    expect(all.value.map((p) => p["Name"])).toContain("EU_mailboxes");
    const one = await exo.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "EU_mailboxes" } });
    expect(one.value).toHaveLength(1);
    // Identity is passed through as the service wrote it, never parsed.
    expect(typeof one.value[0]!["Identity"]).toBe("string");
    const refreshed = await exo.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "EU_mailboxes", Refresh: true } });
    expect(refreshed.value).toEqual([]);

    await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000003", DataEncryptionPolicy: "EU_mailboxes" } });
    const mailbox = await exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "user000003" } });
    expect(mailbox.value[0]!["DataEncryptionPolicy"]).toBe("EU_mailboxes");
    await exo.invoke({ cmdlet: "Set-MailUser", parameters: { Identity: "mailuser000001", DataEncryptionPolicy: "EU_mailboxes" } });
    const mailUsers = await exo.invoke({ cmdlet: "Get-MailUser" });
    expect(mailUsers.value).toHaveLength(5);
    const stats = await exo.invoke({ cmdlet: "Get-MailboxStatistics", parameters: { Identity: "user000003" } });
    expect(stats.value[0]).toHaveProperty("IsEncrypted");
    const org = await exo.invoke({ cmdlet: "Get-OrganizationConfig" });
    expect(org.value[0]!["Name"]).toBe(emulator.directory.defaultDomain);
  });

  it("runs the multi-workload cmdlets: new, get, set, test, assign, read the assignment", async () => {
    const exo = transport();
    await exo.invoke({ cmdlet: "New-M365DataAtRestEncryptionPolicy", parameters: { Name: "Tenant_DEP", AzureKeyIDs: keyIds } });
    expect((await exo.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicy", parameters: { Identity: "Tenant_DEP" } })).value[0]).toMatchObject({ Name: "Tenant_DEP" });
    await exo.invoke({ cmdlet: "Set-M365DataAtRestEncryptionPolicy", parameters: { Identity: "Tenant_DEP", Description: "all workloads" } });
    const tested = await exo.invoke({ cmdlet: "Test-M365DataAtRestEncryptionPolicy", parameters: { Identity: "Tenant_DEP" } });
    expect(tested.value.length).toBeGreaterThanOrEqual(0);
    expect((await exo.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicyAssignment" })).value).toEqual([]);
    await exo.invoke({ cmdlet: "Set-M365DataAtRestEncryptionPolicyAssignment", parameters: { DataEncryptionPolicy: "Tenant_DEP" } });
    expect((await exo.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicyAssignment" })).value[0]).toMatchObject({ Name: "Tenant_DEP" });
  });

  it("surfaces the cmdlet's warnings (a Set-* that changed nothing)", async () => {
    const exo = transport();
    await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000007", DataEncryptionPolicy: null } });
    const again = await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000007", DataEncryptionPolicy: null } });
    expect(again.warnings).toEqual([expect.stringMatching(/completed successfully but no settings of '.*' have been modified/)]);
  });
});

describe("ExchangeRestTransport: paging", () => {
  it("follows @odata.nextLink across 3 pages (POST, same body) and returns every row once", async () => {
    const since = emulator.requests.size;
    const result = await transport({ pageSize: 100 }).invoke({ cmdlet: "Get-Mailbox" });
    expect(result.value).toHaveLength(250);
    expect(new Set(result.value.map((m) => m["Name"])).size).toBe(250);
    const requests = exchangeRequests(since);
    expect(requests.map((e) => [e.method, e.operation, e.status])).toEqual([
      ["POST", "Get-Mailbox", 200],
      ["POST", "Get-Mailbox", 200],
      ["POST", "Get-Mailbox", 200],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("stops at resultSize (sent as ResultSize) without reading further pages", async () => {
    const since = emulator.requests.size;
    const result = await transport({ pageSize: 100 }).invoke({ cmdlet: "Get-Mailbox" }, { resultSize: 120 });
    expect(result.value).toHaveLength(120);
    expect(exchangeRequests(since)).toHaveLength(2);
  });

  it("re-fetches the whole result in one request when a continuation has expired, and says so", async () => {
    const since = emulator.requests.size;
    lines.length = 0;
    const exo = transport({ pageSize: 100, additionalPolicies: [afterResponse(1, () => emulator.exchange.expirePagingCursors())] });
    const result = await exo.invoke({ cmdlet: "Get-Mailbox" });
    expect(result.value).toHaveLength(250);
    expect(new Set(result.value.map((m) => m["Name"])).size).toBe(250);
    expect(result.warnings.at(-1)).toMatch(/refused to continue Get-Mailbox .*fetched again in one request with ResultSize Unlimited/);
    expect(exchangeRequests(since).map((e) => e.status)).toEqual([200, 400, 200]);
    expect(lines.some((l) => l.startsWith("WARN exchange.invoke:Get-Mailbox: a continuation page was refused"))).toBe(true);
  });

  it("stops between pages when the AbortSignal fires", async () => {
    const since = emulator.requests.size;
    const controller = new AbortController();
    const exo = transport({ pageSize: 100, additionalPolicies: [afterResponse(1, () => controller.abort())] });
    const error = await rejection(exo.invoke({ cmdlet: "Get-Mailbox" }, { abortSignal: controller.signal }));
    expect(error).toBeInstanceOf(OperationAbortedError);
    expect((error as OperationAbortedError).code).toBe("ERR_ABORTED");
    expect(exchangeRequests(since)).toHaveLength(1);
  });
});

describe("ExchangeRestTransport: $batch", () => {
  it("sends 12 commands as two $batch requests (10 + 2); each succeeds or fails on its own, in order", async () => {
    const since = emulator.requests.size;
    const commands = [
      ...Array.from({ length: 10 }, (_, i) => ({ cmdlet: "Get-Mailbox" as const, parameters: { Identity: `user0000${String(i + 10)}` } })),
      { cmdlet: "Get-Mailbox" as const, parameters: { Identity: "nobody-here" } },
      { cmdlet: "Set-Mailbox" as const, parameters: { Identity: "user000020", DataEncryptionPolicy: "EU_mailboxes" } },
      { cmdlet: "Remove-Mailbox" as never, parameters: { Identity: "user000001" } },
    ];
    const results = await transport().invokeBatch(commands);
    expect(results).toHaveLength(13);
    for (const [i, r] of results.slice(0, 10).entries()) {
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.result.value[0]!["Name"]).toBe(`user0000${String(i + 10)}`);
    }
    const missing = results[10]!;
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error).toBeInstanceOf(ExchangeCommandError);
      expect((missing.error as ExchangeCommandError).code).toBe("ERR_EXCHANGE_OBJECT_NOT_FOUND");
      expect((missing.error as ExchangeCommandError).cmdlet).toBe("Get-Mailbox");
    }
    expect(results[11]!.ok).toBe(true);
    const refused = results[12]!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect((refused.error as InvalidInputError).code).toBe("ERR_EXCHANGE_CMDLET_UNSUPPORTED");
    const requests = exchangeRequests(since);
    expect(requests.map((e) => e.path.replace(/^.*\//, ""))).toEqual(["$batch", "$batch"]);
    expect(requests[0]!.operation).toMatch(/^\$batch\(Get-Mailbox(,Get-Mailbox){9}\)$/);
  });

  it("retries a throttled $batch after its Retry-After (a 429 ran nothing, so a batch of Set-* goes again too)", async () => {
    const exo = transport();
    await exo.invoke({ cmdlet: "Get-OrganizationConfig" }); // token cached before the throttle counts
    emulator.throttle.set("exchange", { requestsPerSecond: 1, burst: 1 });
    try {
      await exo.invoke({ cmdlet: "Get-OrganizationConfig" }); // takes the one token
      const since = emulator.requests.size;
      const results = await exo.invokeBatch([
        { cmdlet: "Set-Mailbox", parameters: { Identity: "user000050", DataEncryptionPolicy: null } },
        { cmdlet: "Get-Mailbox", parameters: { Identity: "user000001" } },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      expect(exchangeRequests(since).map((e) => e.status)).toEqual([429, 200]);
    } finally {
      emulator.throttle.set("exchange", undefined);
    }
  });
});

describe("ExchangeRestTransport: errors", () => {
  const caught = async (promise: Promise<unknown>) => (await rejection(promise)) as ExchangeCommandError;

  it("turns each exception class into its typed error, keeping ErrorId, class and cmdlet", async () => {
    const exo = transport();
    const notFound = await caught(exo.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "no-such-policy" } }));
    expect(notFound).toBeInstanceOf(ExchangeCommandError);
    expect(notFound).toMatchObject({
      code: "ERR_EXCHANGE_OBJECT_NOT_FOUND",
      errorId: "Ex6F9304",
      exceptionClass: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
      cmdlet: "Get-DataEncryptionPolicy",
      operation: "exchange.invoke:Get-DataEncryptionPolicy",
      statusCode: 404,
      serviceCode: "NotFound",
    });
    expect(notFound.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(notFound.message).toMatch(/^Get-DataEncryptionPolicy failed: The operation couldn't be performed because object 'no-such-policy' couldn't be found/);

    const exists = await caught(exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "EU_mailboxes", AzureKeyIDs: keyIds } }));
    expect(exists).toMatchObject({ code: "ERR_EXCHANGE_OBJECT_EXISTS", exceptionClass: expect.stringMatching(/AlreadyExistsException$/), statusCode: 400 });

    const unknownParameter = await caught(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Colour: "blue" } }));
    expect(unknownParameter).toMatchObject({ code: "ERR_EXCHANGE_ARGUMENT_REFUSED", errorId: undefined, exceptionClass: expect.stringMatching(/AmbiguousParameterSetException$/) });

    const oneKey = await caught(exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "one_key", AzureKeyIDs: [keyIds[0]!] } }));
    expect(oneKey).toMatchObject({ code: "ERR_EXCHANGE_ARGUMENT_REFUSED", exceptionClass: expect.stringMatching(/TaskArgumentException$/) });

    await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "off_policy", AzureKeyIDs: keyIds, Enabled: false } });
    const disabled = await caught(exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000009", DataEncryptionPolicy: "off_policy" } }));
    expect(disabled).toMatchObject({ code: "ERR_EXCHANGE_OPERATION_REFUSED", exceptionClass: expect.stringMatching(/TaskInvalidOperationException$/) });
  });

  it("names the directory role when the gateway answers 403 without a body", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "helpdesk" });
    const exo = transport({ credential: emulator.credentialFor(user.userPrincipalName) });
    const forbidden = await caught(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "user000001" } }));
    expect(forbidden).toMatchObject({ code: "ERR_EXCHANGE_FORBIDDEN", statusCode: 403 });
    expect(forbidden.message).toMatch(/needs the Exchange Administrator directory role/);
    const dar = await caught(exo.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicy" }));
    expect(dar.message).toMatch(/Compliance Administrator/);
  });

  it("refuses a cmdlet outside EXCHANGE_CMDLETS and a malformed parameter before sending anything", async () => {
    const since = emulator.requests.size;
    const exo = transport();
    const unsupported = await rejection(exo.invoke({ cmdlet: "Remove-Mailbox" as never, parameters: { Identity: "x" } }));
    expect(unsupported).toBeInstanceOf(InvalidInputError);
    expect((unsupported as InvalidInputError).code).toBe("ERR_EXCHANGE_CMDLET_UNSUPPORTED");
    const annotation = await rejection(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { "Identity@odata.type": "x" } }));
    expect((annotation as InvalidInputError).code).toBe("ERR_EXCHANGE_PARAMETER_INVALID");
    const objectValue = await rejection(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: { secret: "hunter2" } as never } }));
    expect((objectValue as InvalidInputError).code).toBe("ERR_EXCHANGE_PARAMETER_INVALID");
    expect((objectValue as Error).message).not.toContain("hunter2");
    const confirm = await rejection(exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "x", Confirm: true } }));
    expect((confirm as InvalidInputError).field).toBe("parameters.Confirm");
    expect(emulator.requests.size).toBe(since);
  });
});

describe("ExchangeRestTransport: retries", () => {
  it("retries a 429 after the Retry-After the throttle sent, for a read and for a Set-* (a 429 did not run)", async () => {
    const exo = transport();
    await exo.invoke({ cmdlet: "Get-OrganizationConfig" }); // token cached before the throttle counts
    emulator.throttle.set("exchange", { requestsPerSecond: 1, burst: 1 });
    try {
      const since = emulator.requests.size;
      const started = Date.now();
      await exo.invoke({ cmdlet: "Get-OrganizationConfig" });
      await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000030", DataEncryptionPolicy: null } });
      const elapsed = Date.now() - started;
      const statuses = exchangeRequests(since).map((e) => e.status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(2);
      // Retry-After is whole seconds (1 here): the retry waited for it, not the 5 ms back-off.
      expect(elapsed).toBeGreaterThanOrEqual(900);
    } finally {
      emulator.throttle.set("exchange", undefined);
    }
  });

  it("retries a 503 for a Set-*, but not a 500 (it may have run)", async () => {
    const exo = transport();
    emulator.faults.inject({ service: "exchange", status: 503, retryAfterSeconds: 0, count: 1 });
    await expect(exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000031", DataEncryptionPolicy: null } })).resolves.toBeDefined();

    const since = emulator.requests.size;
    const remove = emulator.faults.inject({ service: "exchange", status: 500, count: 1 });
    try {
      const failed = (await rejection(exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000031", DataEncryptionPolicy: null } }))) as ExchangeCommandError;
      expect(failed).toBeInstanceOf(ExchangeCommandError);
      expect(failed.statusCode).toBe(500);
      expect(exchangeRequests(since)).toHaveLength(1);
    } finally {
      remove();
    }
    // A read is retried after the same 500.
    emulator.faults.inject({ service: "exchange", status: 500, count: 1 });
    const since2 = emulator.requests.size;
    await exo.invoke({ cmdlet: "Get-OrganizationConfig" });
    expect(exchangeRequests(since2).map((e) => e.status)).toEqual([500, 200]);
  });

  it("sends a policy's -Refresh and the tenant's assignment again after a reset connection (asking twice changes nothing), but not another Set-*", async () => {
    const exo = transport();
    await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "Refresh_retry", AzureKeyIDs: keyIds } });
    emulator.faults.inject({ service: "exchange", mode: "reset", count: 1 });
    await expect(exo.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "Refresh_retry", Refresh: true } })).resolves.toBeDefined();
    // The tenant's multi-workload assignment is the same kind: sent again, it changes nothing.
    await exo.invoke({ cmdlet: "New-M365DataAtRestEncryptionPolicy", parameters: { Name: "Assign_retry", AzureKeyIDs: keyIds } });
    emulator.faults.inject({ service: "exchange", mode: "reset", count: 1 });
    await expect(exo.invoke({ cmdlet: "Set-M365DataAtRestEncryptionPolicyAssignment", parameters: { DataEncryptionPolicy: "Assign_retry" } })).resolves.toBeDefined();

    const remove = emulator.faults.inject({ service: "exchange", mode: "reset", count: 1 });
    try {
      await expect(exo.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "Refresh_retry", Description: "changed" } })).rejects.toBeDefined();
    } finally {
      remove();
    }
  });
});

describe("ExchangeRestTransport: logs", () => {
  it("writes cmdlet names, never parameter values or tokens", async () => {
    lines.length = 0;
    const exo = transport();
    await exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "user000042" } });
    await rejection(exo.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "secret-policy-name" } }));
    const text = lines.join("\n");
    expect(text).toContain("exchange.invoke:Get-Mailbox: succeeded");
    expect(text).toContain("exchange.invoke:Get-DataEncryptionPolicy: failed");
    expect(text).not.toMatch(/user000042|secret-policy-name|eyJ[A-Za-z0-9_-]{10,}/);
  });
});
