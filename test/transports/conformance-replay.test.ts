/**
 * Conformance: the REST transports replay the request and response samples of the research notes
 * (m365-endpoints §1.4–1.10 and §3.3–3.4, m365-wire-shapes §1.1 and §2.2) against a local HTTPS
 * server: what they send is what the module (and the inferred SharePoint REST form) sends, and
 * every recorded response form is read as the notes say.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ExchangeCommandError,
  ExchangeRestTransport,
  SharePointRequestError,
  SharePointRestTransport,
  type ExchangeRestTransportOptions,
} from "../../src/index.js";
import { RecordingCredential, startReplayServer, type ReplayServer } from "./conformance-server.js";

const TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
let server: ReplayServer;
let credential: RecordingCredential;
const quiet = { info() {}, warning() {}, verbose() {}, error() {} };

beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server?.close());
beforeEach(() => {
  server.requests.length = 0;
  credential = new RecordingCredential();
});

function exchange(options: Partial<ExchangeRestTransportOptions> = {}) {
  return new ExchangeRestTransport({ credential, tenantId: TENANT, endpoint: server.origin("exo.localhost"), agent: server.agent, retry: { retryDelayInMs: 1 }, logger: quiet, ...options });
}

/** The success envelope as captured (member order of burp/g2o), with optional nextLink. */
function page(value: unknown[], options: { nextLink?: string; warnings?: string[] } = {}) {
  return {
    status: 200,
    headers: { "content-type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8" },
    body: {
      "@odata.context": `${server.origin("exo.localhost")}/adminapi/beta/${TENANT}/$metadata#Collection(Exchange.GenericHashTable)`,
      ...(options.nextLink ? { "@odata.nextLink": options.nextLink } : {}),
      "adminapi.warnings@odata.type": "#Collection(String)",
      "@adminapi.warnings": options.warnings ?? [],
      value,
    },
  };
}

/** Envelope B (cmdlet error), the companion's captured sample. */
const notFoundBody = {
  error: {
    code: "InternalServerError",
    message: "Error executing cmdlet",
    details: [{ code: "Client", target: "", message: "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found on 'DC01.PROD.OUTLOOK.COM'." }],
    innererror: { message: "Error executing cmdlet", type: "Microsoft.Exchange.Admin.OData.Core.ODataServiceException", stacktrace: "..." },
  },
};

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("Exchange InvokeCommand request (m365-endpoints §1.2–1.5)", () => {
  it("POSTs the CmdletInput envelope with switches as booleans, arrays kept, Confirm false, and the module's header set", async () => {
    server.script(page([]));
    await exchange().invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "USA_mailboxes", Refresh: true } });
    const [request] = server.requests;
    expect(request!.method).toBe("POST");
    expect(request!.path).toBe(`/adminapi/beta/${TENANT}/InvokeCommand`);
    expect(request!.body).toEqual({ CmdletInput: { CmdletName: "Set-DataEncryptionPolicy", Parameters: { Identity: "USA_mailboxes", Refresh: true, Confirm: false } } });
    expect(request!.headers).toMatchObject({
      authorization: "Bearer test-token-for https://outlook.office365.com/.default",
      accept: "application/json",
      "content-type": "application/json",
      "x-cmdletname": "Set-DataEncryptionPolicy",
      "x-anchormailbox": `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}`,
      "x-responseformat": "json",
      "x-clientapplication": "ExoManagementModule",
      prefer: "odata.maxpagesize=1000",
    });
    expect(request!.headers["client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(request!.headers["user-agent"]).toMatch(/customer-key\//);
    expect(credential.scopes).toEqual(["https://outlook.office365.com/.default"]);
  });

  it("sends AzureKeyIDs as a JSON array, null as null, a given anchor and page size, and ResultSize Unlimited for Get-Mailbox", async () => {
    server.script(page([]), page([]));
    const exo = exchange({ anchorMailbox: "UPN:admin@contoso.onmicrosoft.com", pageSize: 50 });
    await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "US Mailboxes", AzureKeyIDs: ["https://a.vault.azure.net/keys/k", "https://b.vault.azure.net/keys/k"], Description: null } });
    await exo.invoke({ cmdlet: "Get-Mailbox" });
    expect(server.requests[0]!.body).toEqual({
      CmdletInput: { CmdletName: "New-DataEncryptionPolicy", Parameters: { Name: "US Mailboxes", AzureKeyIDs: ["https://a.vault.azure.net/keys/k", "https://b.vault.azure.net/keys/k"], Description: null, Confirm: false } },
    });
    expect(server.requests[0]!.headers["x-anchormailbox"]).toBe("UPN:admin@contoso.onmicrosoft.com");
    expect(server.requests[1]!.headers["prefer"]).toBe("odata.maxpagesize=50");
    expect(server.requests[1]!.body).toEqual({ CmdletInput: { CmdletName: "Get-Mailbox", Parameters: { ResultSize: "Unlimited", Confirm: false } } });
  });

  it("uses the tenant's domain as the tenant segment when given one", async () => {
    server.script(page([]));
    await exchange({ tenantId: "contoso.onmicrosoft.com" }).invoke({ cmdlet: "Get-OrganizationConfig" });
    expect(server.requests[0]!.path).toBe("/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand");
  });
});

describe("Exchange response envelope (m365-endpoints §1.6, m365-wire-shapes §1.1–1.3)", () => {
  it("returns value rows as sent (Identity a plain string, annotations kept) and the warnings", async () => {
    const row = { Identity: "5f4c2a3e-0000-4000-8000-000000000001", "Guid@odata.type": "#Guid", Guid: "5f4c2a3e-0000-4000-8000-000000000001", Name: "user1" };
    server.script(page([row], { warnings: ["The command completed successfully but no settings of 'Default' have been modified."] }));
    const result = await exchange().invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "user1" } });
    expect(result).toEqual({ value: [row], warnings: ["The command completed successfully but no settings of 'Default' have been modified."] });
  });

  it("reads an absent value, value null and value [] alike (all three occur live), and non-terminating errors as warnings", async () => {
    server.script(
      { status: 200, body: { "@odata.context": "x", "@adminapi.warnings": [] } },
      { status: 200, body: { "@odata.context": "x", "@adminapi.warnings": [], value: null } },
      { status: 200, body: { "@odata.context": "x", "@adminapi.warnings": [], value: [], "@adminapi.errors": [{ message: "Couldn't apply to one mailbox." }] } },
    );
    const exo = exchange();
    expect(await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "a" } })).toEqual({ value: [], warnings: [] });
    expect(await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "a" } })).toEqual({ value: [], warnings: [] });
    expect(await exo.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "a" } })).toEqual({ value: [], warnings: ["Non-terminating error: Couldn't apply to one mailbox."] });
  });
});

describe("Exchange paging (m365-endpoints §1.7, m365-wire-shapes §1.1)", () => {
  it("POSTs the same body and headers (same client-request-id) to each @odata.nextLink", async () => {
    const next = (n: number) => `${server.origin("exo.localhost")}/adminapi/beta/${TENANT}/InvokeCommand?%24skiptoken=page${n}`;
    const truncated = "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.";
    server.script(page([{ Name: "a" }], { nextLink: next(2), warnings: [truncated] }), page([{ Name: "b" }], { nextLink: next(3) }), page([{ Name: "c" }]));
    const result = await exchange({ pageSize: 1 }).invoke({ cmdlet: "Get-Mailbox" });
    expect(result.value.map((r) => r["Name"])).toEqual(["a", "b", "c"]);
    expect(result.warnings).toEqual([truncated]);
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand`],
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand?%24skiptoken=page2`],
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand?%24skiptoken=page3`],
    ]);
    for (const r of server.requests) {
      expect(r.body).toEqual(server.requests[0]!.body);
      expect(r.headers["client-request-id"]).toBe(server.requests[0]!.headers["client-request-id"]);
      expect(r.headers["prefer"]).toBe("odata.maxpagesize=1");
    }
  });

  it("falls back to one request with ResultSize = the number wanted when the continuation is refused (qa-1023619, g2o)", async () => {
    const expired = {
      status: 400,
      body: { error: { code: "BadRequest", message: "Invalid Operation", innererror: { message: "Invalid Operation", type: "Microsoft.Exchange.Admin.OData.Core.ODataServiceException", stacktrace: "", internalexception: { message: "Expired or Invalid pagination request. Default Expiry time is 00:30:00", type: "System.Exception", stacktrace: "" } } } },
    };
    server.script(page([{ Name: "a" }], { nextLink: `${server.origin("exo.localhost")}/adminapi/beta/${TENANT}/InvokeCommand?%24skiptoken=p2` }), expired, page([{ Name: "a" }, { Name: "b" }, { Name: "c" }]));
    const result = await exchange({ pageSize: 1 }).invoke({ cmdlet: "Get-Mailbox" }, { resultSize: 3 });
    expect(result.value.map((r) => r["Name"])).toEqual(["a", "b", "c"]);
    expect(result.warnings).toEqual([expect.stringMatching(/fetched again in one request with ResultSize 3\.$/)]);
    expect(server.requests[2]!.body).toEqual({ CmdletInput: { CmdletName: "Get-Mailbox", Parameters: { ResultSize: 3, Confirm: false } } });
    expect(server.requests[2]!.headers["prefer"]).toBe("odata.maxpagesize=1000");
    expect(server.requests[2]!.path).toBe(`/adminapi/beta/${TENANT}/InvokeCommand`);
  });

  it("does not follow a nextLink to another host (it would receive the token)", async () => {
    server.script(page([{ Name: "a" }], { nextLink: "https://attacker.example.com/adminapi/beta/x/InvokeCommand?%24skiptoken=1" }));
    const error = (await rejection(exchange().invoke({ cmdlet: "Get-DataEncryptionPolicy" }))) as ExchangeCommandError;
    expect(error.code).toBe("ERR_EXCHANGE_COMMAND_FAILED");
    expect(server.requests).toHaveLength(1);
  });
});

describe("Exchange errors (m365-endpoints §1.8, m365-wire-shapes §2)", () => {
  it("reads the captured envelope B sample as not-found, and does not retry it although its status is 500", async () => {
    server.script({ status: 500, headers: { "request-id": "0f6a2c1e-1111-4222-8333-444455556666", "x-ExceptionType": "ManagementObjectNotFoundException" }, body: notFoundBody });
    const error = (await rejection(exchange().invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "x" } }))) as ExchangeCommandError;
    expect(error).toBeInstanceOf(ExchangeCommandError);
    expect(error).toMatchObject({
      code: "ERR_EXCHANGE_OBJECT_NOT_FOUND",
      errorId: "Ex6F9304",
      exceptionClass: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
      serviceCode: "InternalServerError",
      statusCode: 500,
      requestId: "0f6a2c1e-1111-4222-8333-444455556666",
      cmdlet: "Get-DataEncryptionPolicy",
    });
    expect(error.message).toBe("Get-DataEncryptionPolicy failed: The operation couldn't be performed because object 'x' couldn't be found on 'DC01.PROD.OUTLOOK.COM'. (Ex6F9304 ManagementObjectNotFoundException)");
    expect(server.requests).toHaveLength(1);
  });

  it("reads envelope A (empty ErrorId, text in innererror.internalexception) and envelope C (JSON in details)", async () => {
    server.script(
      {
        status: 400,
        body: { error: { code: "BadRequest", message: "Invalid Operation", details: [{ code: "Client", target: "", message: "|Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException|Cannot convert value \"Foo\" to type \"RecipientTypeDetails\"." }], innererror: { message: "Invalid Operation", type: "Microsoft.Exchange.Admin.OData.Core.ODataServiceException", stacktrace: "", internalexception: { message: "Cannot convert value \"Foo\" to type \"RecipientTypeDetails\".", type: "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException", stacktrace: "" } }, "adminapi.warnings@odata.type": "#Collection(String)", "@adminapi.warnings": [] } },
      },
      {
        status: 400,
        body: { error: { code: "BadRequest", message: "Invalid Operation", innererror: { message: "Invalid Operation", type: "Microsoft.Exchange.Admin.OData.Core.ODataServiceException", stacktrace: "", internalexception: { message: "Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. Colour", type: "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException", stacktrace: "" } } } },
      },
      {
        status: 400,
        body: { error: { code: "BadRequest", message: "Error executing cmdlet", details: [{ code: "Context", message: JSON.stringify({ Message: "The object 'CN=EU,CN=Policies' already exists.", TypeName: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException", StackTrace: "", InnerError: null }) }] } },
      },
    );
    const exo = exchange();
    const a = (await rejection(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { RecipientTypeDetails: "Foo" } }))) as ExchangeCommandError;
    expect(a).toMatchObject({ code: "ERR_EXCHANGE_ARGUMENT_REFUSED", errorId: undefined, exceptionClass: "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException" });
    const a2 = (await rejection(exo.invoke({ cmdlet: "Get-Mailbox", parameters: { Colour: "blue" } }))) as ExchangeCommandError;
    expect(a2).toMatchObject({ code: "ERR_EXCHANGE_ARGUMENT_REFUSED", exceptionClass: expect.stringMatching(/AmbiguousParameterSetException$/) });
    expect(a2.message).toMatch(/Invalid cmdlet parameters specified\. Colour/);
    const c = (await rejection(exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "EU" } }))) as ExchangeCommandError;
    expect(c).toMatchObject({ code: "ERR_EXCHANGE_OBJECT_EXISTS", exceptionClass: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException" });
  });

  it("turns a 403 of NUL bytes and an empty 401 into ERR_EXCHANGE_FORBIDDEN naming the role (g2o)", async () => {
    server.script({ status: 403, headers: { "content-type": "application/octet-stream" }, body: Buffer.alloc(64) }, { status: 401, headers: { "www-authenticate": 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"' } });
    const exo = exchange();
    const forbidden = (await rejection(exo.invoke({ cmdlet: "Set-M365DataAtRestEncryptionPolicyAssignment", parameters: { DataEncryptionPolicy: "x" } }))) as ExchangeCommandError;
    expect(forbidden).toMatchObject({ code: "ERR_EXCHANGE_FORBIDDEN", statusCode: 403 });
    expect(forbidden.message).toMatch(/Compliance Administrator/);
    const unauthenticated = (await rejection(exo.invoke({ cmdlet: "Get-Mailbox" }))) as ExchangeCommandError;
    expect(unauthenticated).toMatchObject({ code: "ERR_EXCHANGE_FORBIDDEN", statusCode: 401 });
    expect(unauthenticated.message).toMatch(/Exchange\.ManageAsApp/);
  });
});

describe("Exchange retries (m365-endpoints §1.9)", () => {
  const busy = (cls: string) => ({ status: 500, body: { error: { code: "InternalServerError", message: "Error executing cmdlet", details: [{ code: "Client", target: "", message: `ExAB12CD|Microsoft.Exchange.Data.Directory.${cls}|The domain controller is busy.` }] } } });

  it("retries each of the module's retryable server exceptions, also for a New-* (it did not run), with the same client-request-id", async () => {
    server.script(busy("DCOverloadedException"), busy("SuitabilityDirectoryException"), busy("ServerInMMException"), busy("ADServerSettingsChangedException"), busy("StorageTransientException"), page([{ Name: "EU" }]));
    const result = await exchange({ retry: { retryDelayInMs: 1, maxRetries: 5 } }).invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "EU", AzureKeyIDs: ["a", "b"] } });
    expect(result.value).toEqual([{ Name: "EU" }]);
    expect(server.requests).toHaveLength(6);
    expect(new Set(server.requests.map((r) => r.headers["client-request-id"])).size).toBe(1);
  });

  it("gives up with ERR_EXCHANGE_SERVER_BUSY after the retries", async () => {
    server.script(busy("DCOverloadedException"), busy("DCOverloadedException"));
    const error = (await rejection(exchange({ retry: { retryDelayInMs: 1, maxRetries: 1 } }).invoke({ cmdlet: "Get-Mailbox" }))) as ExchangeCommandError;
    expect(error.code).toBe("ERR_EXCHANGE_SERVER_BUSY");
    expect(server.requests).toHaveLength(2);
  });

  it("waits a fractional Retry-After on 429, and retries 503 and 504 for reads; a 504 for a Set-* is not retried", async () => {
    server.script({ status: 429, headers: { "retry-after": "0.3" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } }, { status: 503, body: "" }, { status: 504, body: "" }, page([]));
    const started = Date.now();
    await exchange().invoke({ cmdlet: "Get-OrganizationConfig" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(server.requests).toHaveLength(4);

    server.requests.length = 0;
    server.script({ status: 504, body: "" });
    const error = (await rejection(exchange().invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "a", DataEncryptionPolicy: "EU" } }))) as ExchangeCommandError;
    expect(error.statusCode).toBe(504);
    expect(server.requests).toHaveLength(1);
  });
});

describe("Exchange $batch (m365-endpoints §1.10)", () => {
  it("POSTs {requests:[{id, method, url, headers, body}]} to $batch and reads responses[].body.value / .error", async () => {
    server.script((request) => {
      const requests = (request.body as { requests: { id: string }[] }).requests;
      return {
        status: 200,
        body: {
          responses: [
            { id: requests[1]!.id, status: 404, headers: { "Cmdlet-Name": "Get-DataEncryptionPolicy" }, body: notFoundBody },
            { id: requests[0]!.id, status: 200, headers: {}, body: page([{ Name: "org" }]).body },
          ],
        },
      };
    });
    const results = await exchange().invokeBatch([{ cmdlet: "Get-OrganizationConfig" }, { cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "x" } }]);
    const [request] = server.requests;
    expect(request!.path).toBe(`/adminapi/beta/${TENANT}/$batch`);
    expect(request!.headers["prefer"]).toBe("odata.maxpagesize=1000;odata.continue-on-error");
    expect(request!.body).toEqual({
      requests: [
        { id: "1", method: "POST", url: `${server.origin("exo.localhost")}/adminapi/beta/${TENANT}/InvokeCommand`, headers: expect.objectContaining({ "X-CmdletName": "Get-OrganizationConfig" }), body: { CmdletInput: { CmdletName: "Get-OrganizationConfig", Parameters: { Confirm: false } } } },
        { id: "2", method: "POST", url: `${server.origin("exo.localhost")}/adminapi/beta/${TENANT}/InvokeCommand`, headers: expect.objectContaining({ "X-CmdletName": "Get-DataEncryptionPolicy" }), body: { CmdletInput: { CmdletName: "Get-DataEncryptionPolicy", Parameters: { Identity: "x", Confirm: false } } } },
      ],
    });
    expect(results[0]).toMatchObject({ ok: true, result: { value: [{ Name: "org" }], warnings: [] } });
    expect(results[1]!.ok).toBe(false);
    if (!results[1]!.ok) expect(results[1]!.error).toMatchObject({ code: "ERR_EXCHANGE_OBJECT_NOT_FOUND", cmdlet: "Get-DataEncryptionPolicy" });
  });

  it("sends a batch item throttled on its own (429 with Retry-After) again by itself after the wait", async () => {
    server.script(
      { status: 200, body: { responses: [{ id: "1", status: 200, body: page([]).body }, { id: "2", status: 429, headers: { "Retry-After": "0.2" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } }] } },
      page([]),
    );
    const started = Date.now();
    const results = await exchange().invokeBatch([
      { cmdlet: "Set-Mailbox", parameters: { Identity: "a", DataEncryptionPolicy: "EU" } },
      { cmdlet: "Set-Mailbox", parameters: { Identity: "b", DataEncryptionPolicy: "EU" } },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(server.requests.map((r) => r.path.replace(/^.*\//, ""))).toEqual(["$batch", "InvokeCommand"]);
    expect(server.requests[1]!.body).toEqual({ CmdletInput: { CmdletName: "Set-Mailbox", Parameters: { Identity: "b", DataEncryptionPolicy: "EU", Confirm: false } } });
  });
});

describe("SharePoint REST requests (m365-endpoints §3.2–3.4)", () => {
  const admin = () => server.origin("contoso-admin.sp.localhost");
  const sharePoint = () => new SharePointRestTransport({ credential, adminSiteUrl: admin(), agent: server.agent, retry: { retryDelayInMs: 1 }, logger: quiet });
  const vault = (name: string, version: string) => ({ VaultName: name, KeyName: "spo-root", KeyVersion: version, Uri: `https://${name}.vault.azure.net/` });
  const registered = { AvailabilityKeyVaultUri: "https://spo-avail.vault.azure.net/keys/a/00000000000000000000000000000001", PrimaryKeyVaultUri: "https://ck-a.vault.azure.net/keys/spo-root/f635a23bd4a44b9996ff6aadd88d42ba", RecoveryEnabled: false, RegistrationProgress: 100.0, SecondaryKeyVaultUri: "https://ck-b.vault.azure.net/keys/spo-root/2b3e8f1d754f438dacdec1f0945f251a", Status: 2 };

  it("POSTs each method to {site}/_api/site/<Method> with the named parameters, tokens for the site's origin", async () => {
    server.script(...Array.from({ length: 5 }, () => ({ status: 200, body: registered })));
    const sp = sharePoint();
    const keyInfo = { PrimaryKeyVault: vault("ck-a", "f635a23bd4a44b9996ff6aadd88d42ba"), SecondaryKeyVault: vault("ck-b", "2b3e8f1d-754f-438d-acde-c1f0945f251a") };
    await sp.getTenantKeyStatus();
    await sp.registerTenantKeys(keyInfo);
    await sp.rollTenantKey("secondary", vault("ck-b", "2b3e8f1d754f438dacdec1f0945f251a"));
    await sp.recoverTenantKeys(keyInfo);
    await sp.getSiteKeyStatus(`${server.origin("contoso.sp.localhost")}/sites/finance/`);
    const primary = { KeyName: "spo-root", KeyVersion: "f635a23b-d4a4-4b99-96ff-6aadd88d42ba", Uri: "https://ck-a.vault.azure.net/keys/spo-root/f635a23bd4a44b9996ff6aadd88d42ba", VaultName: "ck-a" };
    const secondary = { KeyName: "spo-root", KeyVersion: "2b3e8f1d-754f-438d-acde-c1f0945f251a", Uri: "https://ck-b.vault.azure.net/keys/spo-root/2b3e8f1d754f438dacdec1f0945f251a", VaultName: "ck-b" };
    expect(server.requests.map((r) => [r.method, r.host, r.path, r.body])).toEqual([
      ["POST", "contoso-admin.sp.localhost", "/_api/site/GetBringYourOwnKeyTenantStatus", {}],
      ["POST", "contoso-admin.sp.localhost", "/_api/site/OnboardTenantForBringYourOwnKey", { keyInfo: { PrimaryKeyVault: primary, SecondaryKeyVault: secondary } }],
      ["POST", "contoso-admin.sp.localhost", "/_api/site/RollTenantBringYourOwnKey", { keyType: 1, keyVaultInfo: secondary }],
      ["POST", "contoso-admin.sp.localhost", "/_api/site/RecoverTenantForBringYourOwnKey", { keyInfo: { PrimaryKeyVault: primary, SecondaryKeyVault: secondary } }],
      ["POST", "contoso.sp.localhost", "/sites/finance/_api/site/GetBringYourOwnKeySiteStatus", {}],
    ]);
    expect(server.requests[0]!.headers["authorization"]).toBe(`Bearer test-token-for ${admin()}/.default`);
    expect(server.requests[4]!.headers["authorization"]).toBe(`Bearer test-token-for ${server.origin("contoso.sp.localhost")}/.default`);
    expect(server.requests[0]!.headers["accept"]).toBe("application/json;odata=nometadata");
  });

  it("reads SP.CustomerKeyStatusInfo in the verbose, minimal and no-metadata forms (§3.3), and the CSOM-shaped values (§3.4)", async () => {
    server.script(
      { status: 200, body: { d: { GetBringYourOwnKeyTenantStatus: { __metadata: { type: "SP.CustomerKeyStatusInfo" }, ...registered } } } },
      { status: 200, body: { "odata.metadata": `${admin()}/_api/$metadata#SP.CustomerKeyStatusInfo`, ...registered } },
      { status: 200, body: { ...registered, Status: 3, RegistrationProgress: 42.5 } },
      { status: 200, body: { ...registered, Status: 4, RecoveryEnabled: true, PrimaryKeyVaultUri: null } },
    );
    const sp = sharePoint();
    const expected = { Status: "Registered", StatusCode: 2, RegistrationProgress: "100", PrimaryKeyVaultUri: registered.PrimaryKeyVaultUri, SecondaryKeyVaultUri: registered.SecondaryKeyVaultUri, AvailabilityKeyVaultUri: registered.AvailabilityKeyVaultUri, RecoveryEnabled: false };
    expect(await sp.getTenantKeyStatus()).toEqual(expected);
    expect(await sp.getTenantKeyStatus()).toEqual(expected);
    expect(await sp.getTenantKeyStatus()).toMatchObject({ Status: "Rolling", StatusCode: 3, RegistrationProgress: "42.5" });
    expect(await sp.getTenantKeyStatus()).toMatchObject({ Status: "Recovering", StatusCode: 4, RecoveryEnabled: true, PrimaryKeyVaultUri: "" });
  });

  it("reads odata.error (JSON light) and error (verbose) bodies into SharePointRequestError", async () => {
    server.script(
      { status: 500, headers: { sprequestguid: "a1b2c3d4-0000-4000-8000-000000000000" }, body: { "odata.error": { code: "-2146232832, Microsoft.SharePoint.SPException", message: { lang: "en-US", value: "A customer key roll is in progress for this tenant." } } } },
      { status: 403, body: { error: { code: "-2147024891, System.UnauthorizedAccessException", message: { lang: "en-US", value: "Access denied. You do not have permission to perform this action or access this resource." } } } },
      { status: 500, body: { "odata.error": { code: "-2146232832, Microsoft.SharePoint.SPException", message: { lang: "en-US", value: "The parameter Description cannot be bigger than 512 characters." } } } },
    );
    const sp = sharePoint();
    const keyInfo = vault("ck-a", "f635a23bd4a44b9996ff6aadd88d42ba");
    const inProgress = (await rejection(sp.rollTenantKey("primary", keyInfo))) as SharePointRequestError;
    expect(inProgress).toBeInstanceOf(SharePointRequestError);
    expect(inProgress).toMatchObject({ code: "ERR_SHAREPOINT_OPERATION_IN_PROGRESS", hresult: -2146232832, exceptionClass: "Microsoft.SharePoint.SPException", method: "RollTenantBringYourOwnKey", requestId: "a1b2c3d4-0000-4000-8000-000000000000", statusCode: 500 });
    const denied = (await rejection(sp.getTenantKeyStatus())) as SharePointRequestError;
    expect(denied).toMatchObject({ code: "ERR_SHAREPOINT_FORBIDDEN", hresult: -2147024891, exceptionClass: "System.UnauthorizedAccessException" });
    const other = (await rejection(sp.rollTenantKey("primary", keyInfo))) as SharePointRequestError;
    expect(other.code).toBe("ERR_SHAREPOINT_REQUEST_FAILED");
    // Neither refusal of a roll was sent twice.
    expect(server.requests).toHaveLength(3);
  });

  it("retries 429 with Retry-After for a read", async () => {
    server.script({ status: 429, headers: { "retry-after": "0.2" }, body: { "odata.error": { code: "-2146232832, Microsoft.SharePoint.SPRequestLimitExceededException", message: { lang: "en-US", value: "throttled" } } } }, { status: 200, body: registered });
    const started = Date.now();
    expect((await sharePoint().getTenantKeyStatus()).Status).toBe("Registered");
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(server.requests).toHaveLength(2);
  });
});
