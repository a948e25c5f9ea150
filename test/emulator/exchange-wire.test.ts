import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { customerKeyVaults, errorDetail, exchangeClient, post } from "./helpers/exchange-client.js";

/** The InvokeCommand gateway on the wire: envelope, paging, batch, warnings, error shapes, roles, throttle, log. */

let emulator: Emulator;
let keyIds: string[];

beforeAll(async () => {
  emulator = await startEmulator({ exchange: { mailboxes: 250, mailUsers: 5 } });
  ({ keyIds } = await customerKeyVaults(emulator));
});
afterAll(() => emulator?.stop());

describe("InvokeCommand envelope", () => {
  it("answers Get-Mailbox with the captured member order, annotations and a plain-string Identity", async () => {
    const exo = await exchangeClient(emulator);
    const reply = await exo.invoke("Get-Mailbox", { Identity: "user000001" });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8");
    expect(Object.keys(reply.body)).toEqual(["@odata.context", "adminapi.warnings@odata.type", "@adminapi.warnings", "value"]);
    expect(reply.body["@odata.context"]).toBe(`${emulator.endpoints.exchange}/adminapi/beta/${emulator.tenantId}/$metadata#Collection(Exchange.GenericHashTable)`);
    expect(reply.body["@adminapi.warnings"]).toEqual([]);
    const [row] = reply.body.value;
    const seeded = emulator.exchange.listMailboxes({ limit: 1 })[0]!;
    expect(row.Identity).toBe(seeded.externalDirectoryObjectId);
    expect(typeof row.Identity).toBe("string");
    expect(row.UserPrincipalName).toBe(seeded.userPrincipalName);
    expect(row.DataEncryptionPolicy).toBeNull();
    expect(row["Guid@odata.type"]).toBe("#Guid");
    expect(row.WhenCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
  });

  it("accepts the tenant's initial domain as the tenant segment and finds a mailbox by UPN and by GUID", async () => {
    const exo = await exchangeClient(emulator, undefined, emulator.directory.defaultDomain);
    const seeded = emulator.exchange.listMailboxes({ offset: 4, limit: 1 })[0]!;
    const byUpn = await exo.ok("Get-Mailbox", { Identity: seeded.userPrincipalName });
    const byGuid = await exo.ok("Get-Mailbox", { Identity: seeded.externalDirectoryObjectId });
    expect(byUpn.value[0].Name).toBe(seeded.name);
    expect(byGuid.value[0].Name).toBe(seeded.name);
    expect(byUpn["@odata.context"]).toContain(`/adminapi/beta/${emulator.directory.defaultDomain}/$metadata`);
  });

  it("serves Get-MailUser, Get-MailboxStatistics and Get-OrganizationConfig", async () => {
    const exo = await exchangeClient(emulator);
    const users = await exo.ok("Get-MailUser");
    expect(users.value.map((u: { Name: string }) => u.Name)).toEqual(["mailuser000001", "mailuser000002", "mailuser000003", "mailuser000004", "mailuser000005"]);
    const stats = await exo.ok("Get-MailboxStatistics", { Identity: "user000002" });
    expect(stats.value[0]).toMatchObject({ IsEncrypted: false, DataEncryptionPolicyID: null });
    const org = await exo.ok("Get-OrganizationConfig");
    expect(org.value[0].Name).toBe(emulator.directory.defaultDomain);
  });
});

describe("paging", () => {
  it("pages Get-Mailbox across 3 pages by POSTing the same body to @odata.nextLink", async () => {
    const exo = await exchangeClient(emulator);
    const names: string[] = [];
    let url: string | undefined = `${exo.base}/InvokeCommand`;
    let pages = 0;
    while (url) {
      const reply = await exo.invoke("Get-Mailbox", { ResultSize: "Unlimited" }, { url, headers: { Prefer: "odata.maxpagesize=100" } });
      expect(reply.status).toBe(200);
      names.push(...reply.body.value.map((m: { Name: string }) => m.Name));
      url = reply.body["@odata.nextLink"];
      if (url) expect(url).toMatch(/\/InvokeCommand\?%24skiptoken=/);
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toHaveLength(250);
    expect(new Set(names).size).toBe(250);
    expect(names[249]).toBe("user000250");
  });

  it("caps a listing at ResultSize with the 'more results' warning, and defaults to 1000", async () => {
    const exo = await exchangeClient(emulator);
    const capped = await exo.ok("Get-Mailbox", { ResultSize: 10 });
    expect(capped.value).toHaveLength(10);
    expect(capped["@odata.nextLink"]).toBeUndefined();
    expect(capped["@adminapi.warnings"]).toEqual(["There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."]);
    const all = await exo.ok("Get-Mailbox");
    expect(all.value).toHaveLength(250);
  });

  it("fails a continuation after 30 minutes of emulator clock, and after the cursors are expired, as the service does", async () => {
    const exo = await exchangeClient(emulator);
    const first = await exo.ok("Get-Mailbox", {}, { headers: { Prefer: "odata.maxpagesize=50" } });
    emulator.clock.advance({ minutes: 31 });
    const late = await exo.invoke("Get-Mailbox", {}, { url: first["@odata.nextLink"], headers: { Prefer: "odata.maxpagesize=50" } });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("BadRequest");
    expect(late.body.error.message).toBe("Invalid Operation");
    expect(late.body.error.innererror.internalexception).toMatchObject({ type: "System.Exception", message: "Expired or Invalid pagination request. Default Expiry time is 00:30:00" });
    expect(errorDetail(late)).toEqual({ errorId: "", exceptionClass: "System.Exception", text: "Expired or Invalid pagination request. Default Expiry time is 00:30:00" });

    const again = await exo.ok("Get-Mailbox", {}, { headers: { Prefer: "odata.maxpagesize=50" } });
    emulator.exchange.expirePagingCursors();
    expect((await exo.invoke("Get-Mailbox", {}, { url: again["@odata.nextLink"] })).status).toBe(400);
  });
});

describe("$batch", () => {
  it("runs up to 10 cmdlets, each failing alone, and refuses 11", async () => {
    const exo = await exchangeClient(emulator);
    const item = (id: string, cmdlet: string, parameters: Record<string, unknown>) => ({
      id, method: "POST", url: `${exo.base}/InvokeCommand`, headers: { "X-CmdletName": cmdlet }, body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
    });
    const reply = await exo.batch([item("1", "Get-Mailbox", { Identity: "user000003" }), item("2", "Get-Mailbox", { Identity: "nobody" }), item("3", "Get-OrganizationConfig", {})], { Prefer: "odata.maxpagesize=1000;odata.continue-on-error" });
    expect(reply.status).toBe(200);
    const [one, two, three] = reply.body.responses;
    expect(one).toMatchObject({ id: "1", status: 200 });
    expect(one.body.value[0].Name).toBe("user000003");
    expect(two.status).toBe(404);
    expect(two.headers["Cmdlet-Name"]).toBe("Get-Mailbox");
    expect(two.body.error.details[0].message).toBe("Ex41BAF5|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The specified mailbox doesn't exist.");
    expect(three.status).toBe(200);

    const eleven = await exo.batch(Array.from({ length: 11 }, (_, i) => item(String(i), "Get-OrganizationConfig", {})));
    expect(eleven.status).toBe(400);
  });
});

describe("warnings and errors", () => {
  it("warns when a Set-* changes nothing", async () => {
    const exo = await exchangeClient(emulator);
    const reply = await exo.ok("Set-Mailbox", { Identity: "user000010", DataEncryptionPolicy: null });
    expect(reply.value).toEqual([]);
    expect(reply["@adminapi.warnings"]).toEqual(["The command completed successfully but no settings of 'user000010' have been modified."]);
  });

  it("answers an unknown parameter with envelope A (AmbiguousParameterSetException)", async () => {
    const exo = await exchangeClient(emulator);
    const reply = await exo.invoke("Get-Mailbox", { Identity: "user000001", Frobnicate: true });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "BadRequest", message: "Invalid Operation", "@adminapi.warnings": [] });
    expect(errorDetail(reply)).toMatchObject({ errorId: "", exceptionClass: "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException" });
    expect(errorDetail(reply).text).toMatch(/Invalid cmdlet parameters specified\. Frobnicate$/);
  });

  it("answers a missing object with envelope B (Ex6F9304 ManagementObjectNotFoundException)", async () => {
    const exo = await exchangeClient(emulator);
    const reply = await exo.invoke("Get-DataEncryptionPolicy", { Identity: "No Such Policy" });
    expect(reply.status).toBe(404);
    expect(reply.body.error.message).toBe("Error executing cmdlet");
    expect(errorDetail(reply)).toMatchObject({ errorId: "Ex6F9304", exceptionClass: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" });
    expect(reply.body.error.innererror.type).toBe("Microsoft.Exchange.Admin.OData.Core.ODataServiceException");
  });

  it("answers an existing name with already-exists, and a rule violation with TaskArgumentException", async () => {
    const exo = await exchangeClient(emulator);
    await exo.ok("New-DataEncryptionPolicy", { Name: "Wire DEP", AzureKeyIDs: keyIds });
    const twice = await exo.invoke("New-DataEncryptionPolicy", { Name: "wire dep", AzureKeyIDs: keyIds });
    expect(twice.status).toBe(400);
    expect(errorDetail(twice).exceptionClass).toBe("Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException");
    const one = await exo.invoke("New-DataEncryptionPolicy", { Name: "One key", AzureKeyIDs: [keyIds[0]] });
    expect(one.status).toBe(400);
    expect(errorDetail(one).exceptionClass).toBe("Microsoft.Exchange.Configuration.Tasks.TaskArgumentException");
    const sameVault = await exo.invoke("New-DataEncryptionPolicy", { Name: "Same vault", AzureKeyIDs: [keyIds[0], `${keyIds[0]}x`] });
    expect(errorDetail(sameVault).text).toMatch(/two different key vaults/);
  });

  it("answers an unknown cmdlet and a caller without a role with 403 and no JSON body, a bad token with a bare 401", async () => {
    const exo = await exchangeClient(emulator);
    const unknown = await exo.invoke("Remove-DataEncryptionPolicy", { Identity: "x" });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toBeUndefined();
    expect(unknown.raw.length).toBeGreaterThan(0);
    expect(unknown.raw.every((b) => b === 0)).toBe(true);

    const user = emulator.directory.createUser({ userPrincipalName: "helpdesk" });
    const nobody = await exchangeClient(emulator, user.userPrincipalName);
    expect((await nobody.invoke("Get-Mailbox")).status).toBe(403);

    emulator.directory.assignDirectoryRole(user.objectId, "Compliance Administrator");
    expect((await nobody.invoke("Get-Mailbox")).status).toBe(403);
    expect((await nobody.invoke("Get-M365DataAtRestEncryptionPolicy")).status).toBe(200);
    emulator.directory.assignDirectoryRole(user.objectId, "Exchange Administrator");
    expect((await nobody.invoke("Get-Mailbox", { Identity: "user000001" })).status).toBe(200);
    emulator.directory.removeDirectoryRole(user.objectId, "Exchange Administrator");
    expect((await nobody.invoke("Get-Mailbox", { Identity: "user000001" })).status).toBe(403);

    const bad = await post(emulator, `${exo.base}/InvokeCommand`, "not-a-token", { CmdletInput: { CmdletName: "Get-Mailbox" } });
    expect(bad.status).toBe(401);
    expect(bad.raw.length).toBe(0);
    expect(bad.headers["www-authenticate"]).toMatch(/^Bearer /);
  });

  it("lets an app-only caller in only with a directory role", async () => {
    const app = emulator.directory.createServicePrincipal({ displayName: "ck-automation" });
    const exo = await exchangeClient(emulator, app.appId);
    expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(403);
    emulator.directory.assignDirectoryRole(app.objectId, "Exchange Administrator");
    expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(200);
  });
});

describe("Global Reader", () => {
  it("runs the Get-*/Test-* cmdlets and none that change anything", async () => {
    const app = emulator.directory.createServicePrincipal({ displayName: "ck-exo-reader" });
    emulator.directory.assignDirectoryRole(app.objectId, "Global Reader");
    const exo = await exchangeClient(emulator, app.appId);
    expect((await exo.invoke("Get-DataEncryptionPolicy")).status).toBe(200);
    expect((await exo.invoke("Get-Mailbox", { Identity: "user000001" })).status).toBe(200);
    expect((await exo.invoke("Set-Mailbox", { Identity: "user000001", DataEncryptionPolicy: null })).status).toBe(403);
    expect((await exo.invoke("New-DataEncryptionPolicy", { Name: "Reader_made", AzureKeyIDs: [] })).status).toBe(403);
  });
});

describe("throttle, faults and the request log", () => {
  it("answers 429 with a whole-second Retry-After once the tenant's bucket is empty", async () => {
    const exo = await exchangeClient(emulator);
    emulator.throttle.set("exchange", { requestsPerSecond: 0.5, burst: 2 });
    try {
      expect(emulator.throttle.get("exchange")).toEqual({ requestsPerSecond: 0.5, burst: 2 });
      expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(200);
      expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(200);
      const refused = await exo.invoke("Get-OrganizationConfig");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(2);
      expect(Number.isInteger(Number(refused.headers["retry-after"]))).toBe(true);
      expect(refused.body.error.code).toBe("TooManyRequests");
      expect(emulator.requests.list({ service: "exchange" }).at(-1)).toMatchObject({ status: 429, fault: "throttle" });
    } finally {
      emulator.throttle.set("exchange", undefined);
    }
    expect(emulator.throttle.get("exchange")).toBeUndefined();
    expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(200);
  });

  it("lets fault rules target the exchange service", async () => {
    const exo = await exchangeClient(emulator);
    emulator.faults.inject({ service: "exchange", status: 503, retryAfterSeconds: 3, count: 1 });
    const failed = await exo.invoke("Get-OrganizationConfig");
    expect(failed.status).toBe(503);
    expect(failed.headers["retry-after"]).toBe("3");
    expect((await exo.invoke("Get-OrganizationConfig")).status).toBe(200);
  });

  it("logs the cmdlet names, never parameter values", async () => {
    const exo = await exchangeClient(emulator);
    const since = emulator.requests.size;
    await exo.ok("Set-Mailbox", { Identity: "user000011", DataEncryptionPolicy: null });
    const entries = emulator.requests.list({ service: "exchange" }).filter((e) => e.seq >= since);
    expect(entries.map((e) => e.operation)).toEqual(["Set-Mailbox"]);
    expect(JSON.stringify(entries)).not.toContain("user000011");
    await exo.ok("Get-Mailbox", { Identity: "user000001" });
    expect(emulator.requests.mutating(since).map((e) => e.operation)).toEqual(["Set-Mailbox"]);
  });
});
