/**
 * ExchangePowerShellTransport against a pwsh stand-in speaking the host protocol (PowerShell
 * cannot be installed here): values arrive literally, cmdlets are allow-listed before sending,
 * errors become typed errors, and the process model holds (start, crash and restart, timeout,
 * abort, queue, close, bounded restarts).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterEach, describe, expect, it } from "vitest";
import {
  EXCHANGE_CMDLETS,
  ExchangePowerShellTransport,
  InvalidInputError,
  OperationAbortedError,
  PowerShellCommandError,
  PowerShellHostError,
  type ExchangeCommand,
  type ExchangePowerShellTransportOptions,
} from "../../src/index.js";
import { INJECTION_VALUES, standIn, type StandIn } from "./pwsh-stand-in.js";

const open: ExchangePowerShellTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const certificate = { organization: "contoso.onmicrosoft.com", appId: "00000000-0000-0000-0000-00000000a11d", certificateThumbprint: "0123456789ABCDEF0123456789ABCDEF01234567" };

function transport(stand: StandIn, options: Partial<ExchangePowerShellTransportOptions> = {}): ExchangePowerShellTransport {
  const t = new ExchangePowerShellTransport({ pwshPath: stand.pwshPath, connect: certificate, retry: { retryDelayInMs: 10 }, ...options });
  open.push(t);
  return t;
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the call to fail");
}

describe("ExchangePowerShellTransport: values arrive literally", () => {
  it("injection strings reach the host unchanged, as data, in one line each", async () => {
    const stand = standIn();
    const t = transport(stand);
    for (const value of INJECTION_VALUES) {
      const result = await t.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user@contoso.com", CustomAttribute1: value, DataEncryptionPolicy: value } });
      expect(result.value[0]!.Received).toEqual({ Identity: "user@contoso.com", CustomAttribute1: value, DataEncryptionPolicy: value, Confirm: false });
    }
    // An array of them, a null and a number too.
    const all = await t.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "DEP one", AzureKeyIDs: INJECTION_VALUES, Description: null, Enabled: true } });
    expect(all.value[0]!.Received).toEqual({ Name: "DEP one", AzureKeyIDs: INJECTION_VALUES, Description: null, Enabled: true, Confirm: false });
    // What went over stdin: one JSON line per request, every value a JSON string equal to the input.
    const invokes = stand.requests().filter((r) => r.op === "invoke");
    expect(invokes.map((r) => r.parameters.CustomAttribute1).slice(0, INJECTION_VALUES.length)).toEqual(INJECTION_VALUES);
    for (const record of stand.records().filter((r) => r.event === "request")) expect(record.raw).not.toMatch(/[\n\r\u0000]/);
    expect(stand.starts()).toBe(1);
  });

  it("sends Confirm:false to New-/Set- cmdlets (refusing any other Confirm), ResultSize Unlimited to Get-Mailbox unless limited", async () => {
    const stand = standIn();
    const t = transport(stand);
    const set = await t.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "DEP1", Refresh: true, confirm: false } });
    expect(set.value[0]!.Received).toEqual({ Identity: "DEP1", Refresh: true, Confirm: false });
    expect((await failure(t.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "u1", Confirm: true } }))).code).toBe("ERR_EXCHANGE_PARAMETER_INVALID");
    const get = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    expect(get.value[0]!.Received).toEqual({ Identity: "u1", ResultSize: "Unlimited" });
    const limited = await t.invoke({ cmdlet: "Get-MailUser" }, { resultSize: 5 });
    expect(limited.value[0]!.Received).toEqual({ ResultSize: 5 });
    const dep = await t.invoke({ cmdlet: "Get-DataEncryptionPolicy" });
    expect(dep.value[0]!.Received).toEqual({});
  });
});

describe("ExchangePowerShellTransport: refused before sending", () => {
  it("refuses a cmdlet outside EXCHANGE_CMDLETS without starting a process", async () => {
    const stand = standIn();
    const t = transport(stand);
    for (const cmdlet of ["Remove-Mailbox", "Invoke-Expression", "get-mailbox", "Get-Mailbox; Remove-Mailbox"]) {
      const error = await failure(t.invoke({ cmdlet } as unknown as ExchangeCommand));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.code).toBe("ERR_EXCHANGE_CMDLET_UNSUPPORTED");
    }
    expect(stand.starts()).toBe(0);
    expect(t.processId).toBeUndefined();
  });

  it("refuses parameter names that are not names, common parameters, duplicates and values of other types", async () => {
    const stand = standIn();
    const t = transport(stand);
    const bad: Record<string, unknown>[] = [
      { "Identity; Remove-Mailbox": "x" },
      { "-Identity": "x" },
      { ErrorAction: "Continue" },
      { outvariable: "x" },
      { Identity: "a", identity: "b" },
      { Identity: { nested: true } },
      { Identity: [1, 2] },
      { Identity: Number.NaN },
      { Identity: undefined },
    ];
    for (const parameters of bad) {
      const error = await failure(t.invoke({ cmdlet: "Get-Mailbox", parameters } as unknown as ExchangeCommand));
      expect(error.code, JSON.stringify(parameters)).toBe("ERR_EXCHANGE_PARAMETER_INVALID");
    }
    expect((await failure(t.invoke({ cmdlet: "Get-Mailbox" }, { resultSize: 0 }))).code).toBe("ERR_EXCHANGE_PARAMETER_INVALID");
    expect(stand.starts()).toBe(0);
  });

  it("checks its options", () => {
    const make = (options: unknown) => () => new ExchangePowerShellTransport(options as ExchangePowerShellTransportOptions);
    expect(make({})).toThrow(expect.objectContaining({ code: "ERR_TRANSPORT_OPTIONS_INVALID", field: "connect" }));
    expect(make({ connect: { organization: "c", appId: "a" } })).toThrow(expect.objectContaining({ code: "ERR_TRANSPORT_OPTIONS_INVALID" }));
    expect(make({ connect: { organization: "", credential: { getToken: async () => null } } })).toThrow(expect.objectContaining({ field: "connect.organization" }));
    expect(make({ connect: certificate, timeoutInMs: -1 })).toThrow(expect.objectContaining({ field: "timeoutInMs" }));
    expect(make({ connect: certificate, pwshPath: " " })).toThrow(expect.objectContaining({ field: "pwshPath" }));
  });
});

describe("ExchangePowerShellTransport: connecting", () => {
  it("connects once per process with the certificate parameters", async () => {
    const stand = standIn();
    const t = transport(stand, { connect: { ...certificate, exchangeEnvironmentName: "O365USGovGCCHigh" } });
    await t.invoke({ cmdlet: "Get-OrganizationConfig" });
    await t.invoke({ cmdlet: "Get-OrganizationConfig" });
    const connects = stand.requests().filter((r) => r.op === "connect");
    expect(connects).toEqual([
      {
        id: expect.any(Number),
        op: "connect",
        cmdlet: "Connect-ExchangeOnline",
        parameters: { ShowBanner: false, ExchangeEnvironmentName: "O365USGovGCCHigh", Organization: certificate.organization, AppId: certificate.appId, CertificateThumbprint: certificate.certificateThumbprint },
      },
    ]);
  });

  it("passes an access token on stdin only, never in the arguments or environment, and reconnects before it expires", async () => {
    const stand = standIn();
    const token = "eyJ0eXAiOiJKV1Qi.secret-token-payload.signature";
    let asked = 0;
    const credential: TokenCredential = {
      getToken: async (scopes): Promise<AccessToken> => {
        asked += 1;
        expect(scopes).toBe("https://outlook.office365.com/.default");
        // Expires within the 5-minute margin, so each call connects again.
        return { token, expiresOnTimestamp: Date.now() + 60_000 };
      },
    };
    const t = transport(stand, { connect: { organization: "contoso.onmicrosoft.com", credential } });
    await t.invoke({ cmdlet: "Get-OrganizationConfig" });
    await t.invoke({ cmdlet: "Get-OrganizationConfig" });
    expect(asked).toBe(2);
    const start = stand.records().find((r) => r.event === "start")!;
    expect(JSON.stringify(start.argv)).not.toContain("secret-token");
    expect(JSON.stringify(start.env)).not.toContain("secret-token");
    const connects = stand.requests().filter((r) => r.op === "connect");
    expect(connects).toHaveLength(2);
    expect(connects[0]!.parameters).toEqual({ ShowBanner: false, Organization: "contoso.onmicrosoft.com", AccessToken: token });
  });

  it("a refused connect is a typed error without the token in it", async () => {
    const stand = standIn();
    const credential: TokenCredential = { getToken: async () => ({ token: "expired-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const t = transport(stand, { connect: { organization: "contoso.onmicrosoft.com", credential } });
    const error = await failure(t.invoke({ cmdlet: "Get-OrganizationConfig" }));
    expect(error).toBeInstanceOf(PowerShellCommandError);
    expect(error.code).toBe("ERR_SERVICE_UNAUTHENTICATED");
    expect((error as PowerShellCommandError).cmdlet).toBe("Connect-ExchangeOnline");
    expect(error.message).toContain("[redacted]");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("expired-token");
  });
});

describe("ExchangePowerShellTransport: results and errors", () => {
  it("surfaces warnings in order, and tolerates console noise outside the protocol", async () => {
    const stand = standIn({ STAND_IN_NOISE: "1" });
    const t = transport(stand);
    const result = await t.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "warn" } });
    expect(result.warnings).toEqual(["The first warning.", "Ünïcode warning ✓"]);
    expect(result.value).toHaveLength(1);
  });

  it("ManagementObjectNotFoundException becomes ERR_SERVICE_NOT_FOUND, keeping errorId, exception class and warnings", async () => {
    const t = transport(standIn());
    const error = await failure(t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "missing" } }));
    expect(error).toBeInstanceOf(PowerShellCommandError);
    const e = error as PowerShellCommandError;
    expect(e.code).toBe("ERR_SERVICE_NOT_FOUND");
    expect(e.exceptionClass).toBe("ManagementObjectNotFoundException");
    expect(e.serviceCode).toBe("ManagementObjectNotFoundException");
    expect(e.errorId).toContain("3A5C1A0,Microsoft.Exchange.Management.RecipientTasks.GetMailbox");
    expect(e.cmdlet).toBe("Get-Mailbox");
    expect(e.warnings).toEqual(["Looked everywhere."]);
    expect(e.transient).toBe(false);
  });

  it("an access refusal becomes ERR_SERVICE_FORBIDDEN", async () => {
    const t = transport(standIn());
    const error = await failure(t.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "denied", AzureKeyIDs: ["a", "b"] } }));
    expect(error.code).toBe("ERR_SERVICE_FORBIDDEN");
    expect((error as PowerShellCommandError).exceptionClass).toBe("UnauthorizedAccessException");
  });

  it("a transient server exception is retried for a read, in the same process", async () => {
    const stand = standIn();
    const t = transport(stand);
    const result = await t.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: `overloaded-once:${stand.marker("o1")}` } });
    expect(result.value).toHaveLength(1);
    expect(stand.requests().filter((r) => r.op === "invoke")).toHaveLength(2);
    expect(stand.starts()).toBe(1);
  });

  it("…and not for New-* (not idempotent)", async () => {
    const stand = standIn();
    const t = transport(stand);
    const error = await failure(t.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: `overloaded-once:${stand.marker("o2")}` } }));
    expect(error.code).toBe("ERR_SERVICE_UNAVAILABLE");
    expect((error as PowerShellCommandError).transient).toBe(true);
    expect(stand.requests().filter((r) => r.op === "invoke")).toHaveLength(1);
  });

  it("implements the optional invokeBatch one command after another, each on its own", async () => {
    const t = transport(standIn());
    const results = await t.invokeBatch([
      { cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } },
      { cmdlet: "Get-Mailbox", parameters: { Identity: "missing" } },
      { cmdlet: "Remove-Mailbox" } as unknown as ExchangeCommand,
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[1]!.ok === false && (results[1]!.error as PowerShellCommandError).code).toBe("ERR_SERVICE_NOT_FOUND");
    expect(results[2]!.ok === false && (results[2]!.error as InvalidInputError).code).toBe("ERR_EXCHANGE_CMDLET_UNSUPPORTED");
  });
});

describe("ExchangePowerShellTransport: the process", () => {
  it("starts lazily, runs one call at a time in order, in one process", async () => {
    const stand = standIn();
    const t = transport(stand);
    expect(t.processId).toBeUndefined();
    const results = await Promise.all([
      t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "slow:150" } }),
      t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "slow:10" } }),
      t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "third" } }),
    ]);
    expect(results.map((r) => (r.value[0]!.Received as { Identity: string }).Identity)).toEqual(["slow:150", "slow:10", "third"]);
    expect(new Set(results.map((r) => r.value[0]!.Pid)).size).toBe(1);
    expect(t.processId).toBe(results[0]!.value[0]!.Pid);
    expect(stand.starts()).toBe(1);
  });

  it("a crash fails the call in flight with ERR_POWERSHELL_CRASHED and the next call restarts the process", async () => {
    const stand = standIn();
    const t = transport(stand);
    const first = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    const error = await failure(t.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "crash", AzureKeyIDs: ["a", "b"] } }));
    expect(error).toBeInstanceOf(PowerShellHostError);
    expect(error.code).toBe("ERR_POWERSHELL_CRASHED");
    expect((error as PowerShellHostError).exitCode).toBe(9);
    const after = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    expect(after.value[0]!.Pid).not.toBe(first.value[0]!.Pid);
    expect(stand.starts()).toBe(2);
    // The new process was connected before its first cmdlet.
    expect(stand.requests().filter((r) => r.op === "connect")).toHaveLength(2);
  });

  it("a read that crashes the process once is retried in a new process", async () => {
    const stand = standIn();
    const t = transport(stand);
    const result = await t.invoke({ cmdlet: "Get-MailboxStatistics", parameters: { Identity: `crash-once:${stand.marker("c1")}` } });
    expect(result.value).toHaveLength(1);
    expect(stand.starts()).toBe(2);
  });

  it("bounds restarts in a row: after maxRestarts failures it stops restarting", async () => {
    const stand = standIn();
    const t = transport(stand, { maxRestarts: 1 });
    const crash = () => t.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "crash" } });
    expect((await failure(crash())).code).toBe("ERR_POWERSHELL_CRASHED");
    expect((await failure(crash())).code).toBe("ERR_POWERSHELL_CRASHED");
    expect((await failure(crash())).code).toBe("ERR_POWERSHELL_RESTART_LIMIT");
    expect((await failure(t.invoke({ cmdlet: "Get-Mailbox" }))).code).toBe("ERR_POWERSHELL_RESTART_LIMIT");
    expect(stand.starts()).toBe(2);
  });

  it("a call past its timeout fails with ERR_POWERSHELL_TIMEOUT, the process is killed and the next call restarts it", async () => {
    const stand = standIn();
    const t = transport(stand, { timeoutInMs: 300 });
    const before = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    const started = Date.now();
    const error = await failure(t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "hang" } }));
    expect(error.code).toBe("ERR_POWERSHELL_TIMEOUT");
    expect((error as PowerShellHostError).signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5_000);
    const after = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    expect(after.value[0]!.Pid).not.toBe(before.value[0]!.Pid);
  });

  it("an abort during a call kills the process (a running cmdlet cannot be interrupted safely); the next call restarts it", async () => {
    const stand = standIn();
    const t = transport(stand);
    const before = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "hang" } }, { abortSignal: controller.signal }));
    expect(error).toBeInstanceOf(OperationAbortedError);
    expect(error.code).toBe("ERR_ABORTED");
    const after = await t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "u1" } });
    expect(after.value[0]!.Pid).not.toBe(before.value[0]!.Pid);
  });

  it("an abort of a call still waiting in the queue leaves at once, without touching the running call", async () => {
    const stand = standIn();
    const t = transport(stand);
    const running = t.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: "slow:400" } });
    const controller = new AbortController();
    const queued = t.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "never-sent" } }, { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(queued)).code).toBe("ERR_ABORTED");
    const first = await running;
    expect(first.value).toHaveLength(1);
    expect(stand.requests().some((r) => r.parameters.Identity === "never-sent")).toBe(false);
    expect(stand.starts()).toBe(1);
    // An already-aborted signal is refused before anything starts.
    expect((await failure(t.invoke({ cmdlet: "Get-Mailbox" }, { abortSignal: AbortSignal.abort() }))).code).toBe("ERR_ABORTED");
  });

  it("close() ends the process; later calls fail with ERR_POWERSHELL_CLOSED; closing twice is fine", async () => {
    const stand = standIn();
    const t = transport(stand);
    const { value } = await t.invoke({ cmdlet: "Get-Mailbox" });
    const pid = value[0]!.Pid as number;
    await t.close();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(t.processId).toBeUndefined();
    expect((await failure(t.invoke({ cmdlet: "Get-Mailbox" }))).code).toBe("ERR_POWERSHELL_CLOSED");
    await t.close();
  });
});

describe("ExchangePowerShellTransport: start failures", () => {
  it("a missing executable is ERR_POWERSHELL_START_FAILED", async () => {
    const t = new ExchangePowerShellTransport({ pwshPath: "/nonexistent/pwsh-7.5", connect: certificate, retry: { maxRetries: 0 } });
    open.push(t);
    const error = await failure(t.invoke({ cmdlet: "Get-Mailbox" }));
    expect(error).toBeInstanceOf(PowerShellHostError);
    expect(error.code).toBe("ERR_POWERSHELL_START_FAILED");
    expect(error.message).toContain("/nonexistent/pwsh-7.5");
  });

  it("a host that exits at start is ERR_POWERSHELL_START_FAILED with its stderr as diagnostics", async () => {
    const error = await failure(transport(standIn({ STAND_IN_START: "exit" })).invoke({ cmdlet: "Get-Mailbox" }));
    expect(error.code).toBe("ERR_POWERSHELL_START_FAILED");
    expect((error as PowerShellHostError).exitCode).toBe(3);
    expect((error as PowerShellHostError).diagnostics).toContain("stand-in: failed to load");
  });

  it("a host that never says it is ready is stopped after startTimeoutInMs", async () => {
    const error = await failure(transport(standIn({ STAND_IN_START: "silent" }), { startTimeoutInMs: 300 }).invoke({ cmdlet: "Get-Mailbox" }));
    expect(error.code).toBe("ERR_POWERSHELL_START_FAILED");
    expect(error.message).toContain("did not start within 300 ms");
  });

  it("a host that refuses to run (PowerShell older than 7.5) says why", async () => {
    const error = await failure(transport(standIn({ STAND_IN_START: "refuse" })).invoke({ cmdlet: "Get-Mailbox" }));
    expect(error.code).toBe("ERR_POWERSHELL_START_FAILED");
    expect(error.message).toContain("requires PowerShell 7.5");
  });

  it("a host speaking another protocol version is ERR_POWERSHELL_PROTOCOL", async () => {
    const error = await failure(transport(standIn({ STAND_IN_START: "protocol2" })).invoke({ cmdlet: "Get-Mailbox" }));
    expect(error.code).toBe("ERR_POWERSHELL_PROTOCOL");
  });
});

it("EXCHANGE_CMDLETS all run through the transport", async () => {
  const t = transport(standIn());
  for (const cmdlet of EXCHANGE_CMDLETS) {
    const result = await t.invoke({ cmdlet, parameters: { Identity: "x" } });
    expect(result.value[0]!.Cmdlet).toBe(cmdlet);
  }
});
