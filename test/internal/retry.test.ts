import { describe, expect, it } from "vitest";
import { createHttpHeaders, RestError } from "@azure/core-rest-pipeline";
import { withRetry } from "../../src/internal/retry.js";
import { isTransient, missingPermissionHint, retryAfterMs, toServiceError } from "../../src/internal/service-errors.js";
import { OperationAbortedError, ServiceRequestError } from "../../src/errors.js";

const restError = (statusCode: number, headers: Record<string, string> = {}) =>
  new RestError(`failed ${statusCode}`, {
    statusCode,
    response: { status: statusCode, headers: createHttpHeaders(headers), request: {} as never },
  });

describe("withRetry", () => {
  it("retries transient statuses and network resets, then succeeds", async () => {
    const failures = [restError(503), restError(429), Object.assign(new Error("reset"), { code: "ECONNRESET" })];
    let calls = 0;
    const result = await withRetry("test", async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return "ok";
    }, { retry: { retryDelayInMs: 1 } });
    expect(result).toBe("ok");
    expect(calls).toBe(4);
  });

  it("says in the final error how many attempts were made over how long (issue 11 §1)", async () => {
    const error = await withRetry("op.name", async () => {
      throw restError(503);
    }, { retry: { retryDelayInMs: 1, maxRetries: 2 } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Gave up after 3 attempts over \d+\.\d s\./);
    const once = await withRetry("op.name", async () => {
      throw restError(404);
    }).catch((e: unknown) => e);
    expect((once as Error).message).not.toMatch(/Gave up/);
  });

  it("gives a host name that does not resolve one quick retry, then names the likely cause", async () => {
    let calls = 0;
    const started = performance.now();
    const error = await withRetry("subscriptions.get", async () => {
      calls++;
      throw Object.assign(new Error("getaddrinfo ENOTFOUND management.azure.com"), { code: "ENOTFOUND" });
    }).catch((e: unknown) => e); // default settings: 800 ms first back-off, 4 retries
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: "ERR_SERVICE_UNREACHABLE" });
    expect((error as Error).message).toMatch(/'management\.azure\.com' does not resolve.*`endpoints` option/);
    expect((error as Error).message).toMatch(/Gave up after 2 attempts/);
  });

  it("does not retry 400/403/404/409 and keeps status and service code", async () => {
    for (const status of [400, 403, 404, 409]) {
      let calls = 0;
      const error = await withRetry("op.name", async () => {
        calls++;
        throw restError(status);
      }, { retry: { retryDelayInMs: 1 } }).catch((e: unknown) => e);
      expect(calls).toBe(1);
      expect(error).toBeInstanceOf(ServiceRequestError);
      expect((error as ServiceRequestError).statusCode).toBe(status);
      expect((error as ServiceRequestError).operation).toBe("op.name");
    }
  });

  it("waits what Retry-After asks (capped by maxRetryDelayInMs)", async () => {
    let calls = 0;
    const started = performance.now();
    await withRetry("test", async () => {
      if (calls++ === 0) throw restError(429, { "retry-after": "1" });
      return "ok";
    }, { retry: { retryDelayInMs: 1, maxRetryDelayInMs: 200 } });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(900);
  });

  it("retries a call's own extra failures (retryIf) the same way, and nothing else", async () => {
    let calls = 0;
    const result = await withRetry("test", async () => {
      if (calls++ === 0) throw restError(409);
      return "ok";
    }, { retry: { retryDelayInMs: 1 }, retryIf: (error) => (error as RestError).statusCode === 409 });
    expect(result).toBe("ok");
    expect(calls).toBe(2);
    calls = 0;
    await expect(withRetry("test", async () => {
      calls++;
      throw restError(400);
    }, { retry: { retryDelayInMs: 1 }, retryIf: (error) => (error as RestError).statusCode === 409 })).rejects.toMatchObject({ statusCode: 400 });
    expect(calls).toBe(1);
  });

  it("gives up after maxRetries", async () => {
    let calls = 0;
    await expect(withRetry("test", async () => {
      calls++;
      throw restError(500);
    }, { retry: { maxRetries: 2, retryDelayInMs: 1 } })).rejects.toMatchObject({ code: "ERR_SERVICE_FAILED", statusCode: 500 });
    expect(calls).toBe(3);
  });

  it("an abort during the back-off surfaces as OperationAbortedError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(withRetry("test", async () => {
      throw restError(503, { "retry-after": "5" });
    }, { abortSignal: controller.signal })).rejects.toBeInstanceOf(OperationAbortedError);
  });
});

describe("service errors", () => {
  it("reads Retry-After from Azure and fetch-style headers, ignoring a missing one", () => {
    expect(retryAfterMs(restError(429, { "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(restError(429, { "x-ms-retry-after-ms": "150" }))).toBe(150);
    expect(retryAfterMs(restError(429, { "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    // The typed error keeps the wait exactly, not rounded to seconds.
    expect(retryAfterMs(toServiceError(restError(503, { "x-ms-retry-after-ms": "150" }), "op"))).toBe(150);
    expect(retryAfterMs(restError(429))).toBeUndefined();
    // The Graph client's GraphError carries a fetch Headers object (get() answers null when absent).
    expect(retryAfterMs({ statusCode: 429, headers: new Headers({ "Retry-After": "3" }) })).toBe(3000);
    expect(retryAfterMs({ statusCode: 429, headers: new Headers() })).toBeUndefined();
  });

  it("classifies transient failures", () => {
    expect(isTransient(restError(408))).toBe(true);
    expect(isTransient(restError(502))).toBe(true);
    expect(isTransient(restError(401))).toBe(false);
    expect(isTransient(new Error("boom"))).toBe(false);
  });

  it("never keeps the request (and its Authorization header) on the error", () => {
    const source = restError(403);
    (source as unknown as { request: unknown }).request = { headers: { authorization: "Bearer secret-token" } };
    const error = toServiceError(source, "vaults.get");
    expect(JSON.stringify(error)).not.toMatch(/secret-token/);
    expect(JSON.stringify((error as Error).cause)).not.toMatch(/secret-token/);
    expect((error as Error).message).not.toMatch(/secret-token/);
  });
});

describe("a 403 names the permission that was missing (issue 11 §1)", () => {
  it("from Key Vault's access-policy text, its RBAC action, or the operation", () => {
    const policy = "The user, group or application 'appid=…;oid=…' does not have keys update permission on key vault 'v1;location=westeurope'.";
    expect(missingPermissionHint(policy, "keys.updateProperties")).toMatch(/^Missing keys update permission on the vault\. Administrators do not hold 'update'.*"add" then "remove"/);
    expect(missingPermissionHint(policy.replace("update", "get"), "keys.get")).toBe("Missing keys get permission on the vault.");
    const rbac = "Caller is not authorized to perform action on resource.\r\nAction: 'Microsoft.KeyVault/vaults/keys/update/action'\r\n";
    expect(missingPermissionHint(rbac, "keys.updateProperties")).toMatch(/role data action 'Microsoft\.KeyVault\/vaults\/keys\/update\/action'.*Key Vault Crypto Officer/);
    expect(missingPermissionHint("Access denied: no permission.", "keys.rootKey.wrapKey")).toBe("Probably missing keys wrapKey permission on the vault.");
    expect(missingPermissionHint("Operation wrapKey is not allowed on a disabled key.", "keys.rootKey.wrapKey")).toBeUndefined();
    const error = toServiceError(Object.assign(restError(403), { message: policy }), "keys.updateProperties");
    expect(error.message).toMatch(/failed with 403.*Missing keys update permission/);
  });
});
