import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_ROLES, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { vaultResourceId } from "../../src/emulator/keyvault/vault-lookup.js";
import { createTestVault } from "../emulator/helpers/vaults.js";
import { rawRequest, tokenFor, type RawResponse } from "./helpers/raw.js";
import { validateAgainstSwagger } from "./helpers/swagger.js";
import { specPath } from "./helpers/specs.js";

const spec = specPath("keyvault-keys/keys.json");
let emulator: Emulator;
let token: string;
let base: string;
beforeAll(async () => {
  emulator = await startEmulator();
  createTestVault(emulator, { name: "kv-wire" });
  base = emulator.endpoints.vaultUrl("kv-wire");
  token = await tokenFor(emulator, emulator.admin.userPrincipalName, "https://vault.localhost/.default");
});
afterAll(() => emulator?.stop());

const kv = (method: string, path: string, body?: unknown, as = token) =>
  rawRequest(emulator, { method, url: `${base}${path}${path.includes("?") ? "&" : "?"}api-version=7.6`, token: as, ...(body !== undefined ? { body } : {}) });

/** The real service sends `nextLink: null` on the last page, which the swagger (type string) does not allow. */
function matches(definition: string, res: RawResponse): void {
  const body = res.body && typeof res.body === "object" && res.body.nextLink === null ? { ...res.body, nextLink: undefined } : res.body;
  const result = validateAgainstSwagger(spec, definition, JSON.parse(JSON.stringify(body)));
  expect(result.errors, `${definition}: ${JSON.stringify(res.body).slice(0, 400)}`).toEqual([]);
}

function expectError(res: RawResponse, status: number, code: string, inner?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
  if (inner) expect(res.body.error.innererror).toEqual({ code: inner });
  matches("KeyVaultError", res);
}

describe("Key Vault keys wire format", () => {
  it("challenges a tokenless request before reading its body", async () => {
    const res = await rawRequest(emulator, { method: "POST", url: `${base}/keys/k/create?api-version=7.6`, body: "not even json" });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(`Bearer authorization="${emulator.endpoints.authorityHost}/${emulator.tenantId}", resource="https://vault.localhost"`);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toEqual({ error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } });
    expect(res.headers["x-ms-keyvault-region"]).toBe("westeurope");
  });

  it("refuses tokens for another audience or another tenant with 401", async () => {
    const arm = await tokenFor(emulator, emulator.admin.userPrincipalName);
    const wrongAudience = await kv("GET", "/keys", undefined, arm);
    expectError(wrongAudience, 401, "Unauthorized");
    expect(wrongAudience.body.error.message).toMatch(/^AKV10022: Invalid audience/);
    expect(wrongAudience.headers["www-authenticate"]).toContain('resource="https://vault.localhost"');
    const foreign = createTestVault(emulator, { name: "kv-foreign" });
    foreign.properties.tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const res = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("kv-foreign")}/keys?api-version=7.6`, token });
    expectError(res, 401, "Unauthorized");
    expect(res.headers["www-authenticate"]).toContain("/72f988bf-86f1-41af-91ab-2d7cd011db47\"");
  });

  it("needs api-version", async () => {
    const res = await rawRequest(emulator, { method: "GET", url: `${base}/keys`, token });
    expectError(res, 400, "BadParameter");
    for (const version of ["7.4", "7.5", "2025-07-01"]) {
      expect((await rawRequest(emulator, { method: "GET", url: `${base}/keys?api-version=${version}`, token })).status).toBe(200);
    }
    // The SDK percent-encodes the hyphen.
    expect((await rawRequest(emulator, { method: "GET", url: `${base}/keys?api%2Dversion=7.6`, token })).status).toBe(200);
  });

  it("answers a malformed percent-escape in the path with 400, not 500", async () => {
    expectError(await kv("GET", "/keys/bad%zzname"), 400, "BadRequest");
  });

  it("creates and gets keys as KeyBundles with the service's headers", async () => {
    const created = await kv("POST", "/keys/wire/create", { kty: "RSA", tags: { a: "b" } });
    expect(created.status).toBe(200);
    expect(created.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(created.headers["x-ms-keyvault-service-version"]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(created.headers["cache-control"]).toBe("no-cache");
    matches("KeyBundle", created);
    expect(Object.keys(created.body.key)).toEqual(["kid", "kty", "key_ops", "n", "e"]);
    expect(created.body.key.n).toMatch(/^[A-Za-z0-9_-]{342}$/);
    expect(created.body.attributes).toEqual({
      enabled: true, created: expect.any(Number), updated: expect.any(Number), recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90, exportable: false,
    });
    for (const path of ["/keys/wire/", "/keys/wire", `/keys/wire/${created.body.key.kid.split("/").at(-1)}`]) {
      const got = await kv("GET", path);
      expect(got.status).toBe(200);
      expect(got.body.key.kid).toBe(created.body.key.kid);
    }
    expectError(await kv("POST", "/keys/wire/create", { kty: "EC-HSM" }), 400, "BadParameter");
    expectError(await kv("POST", "/keys/wire/create", { key_size: 2048 }), 400, "BadParameter");
    expectError(await kv("GET", "/keys/nothere/"), 404, "KeyNotFound");
  });

  it("pages with absolute nextLinks carrying api-version, $skiptoken and maxresults", async () => {
    await kv("POST", "/keys/wire2/create", { kty: "RSA" });
    const first = await kv("GET", "/keys?maxresults=1");
    matches("KeyListResult", first);
    expect(first.body.value).toHaveLength(1);
    expect(first.body.value[0].kid).toMatch(/\/keys\/[^/]+$/);
    const next = new URL(first.body.nextLink);
    expect(next.origin).toBe(base);
    expect(next.searchParams.get("api-version")).toBe("7.6");
    expect(next.searchParams.get("maxresults")).toBe("1");
    expect(next.searchParams.get("$skiptoken")).toBeTruthy();
    const second = await rawRequest(emulator, { method: "GET", url: first.body.nextLink, token });
    expect(second.body.value).toHaveLength(1);
    expect(second.body.value[0].kid).not.toBe(first.body.value[0].kid);
    const versions = await kv("GET", "/keys/wire/versions");
    expect(versions.body.nextLink).toBeNull();
    expect(versions.body.value[0].kid).toMatch(/\/keys\/wire\/[0-9a-f]{32}$/);
    matches("KeyListResult", versions);
    expectError(await kv("GET", "/keys?maxresults=26"), 400, "BadParameter");
  });

  it("wraps with base64 or base64url input and answers KeyOperationResults in base64url", async () => {
    const created = await kv("POST", "/keys/wrapper/create", { kty: "RSA" });
    const version = created.body.key.kid.split("/").at(-1);
    const plain = Buffer.from("fb".repeat(16) + "ff", "hex");
    const wrapped = await kv("POST", `/keys/wrapper/${version}/wrapkey`, { alg: "RSA-OAEP-256", value: plain.toString("base64") });
    matches("KeyOperationResult", wrapped);
    expect(wrapped.body.kid).toBe(created.body.key.kid);
    expect(wrapped.body.value).toMatch(/^[A-Za-z0-9_-]{342}$/);
    const unwrapped = await kv("POST", `/keys/wrapper/${version}/unwrapkey`, { alg: "RSA-OAEP-256", value: wrapped.body.value });
    expect(Buffer.from(unwrapped.body.value, "base64url").equals(plain)).toBe(true);
    expectError(await kv("POST", `/keys/wrapper/${version}/unwrapkey`, { alg: "RSA-OAEP-256", value: "AAAA" }), 400, "BadParameter");
    expectError(await kv("POST", `/keys/wrapper/${version}/wrapkey`, { alg: "A256KW", value: "AAAA" }), 400, "BadParameter");
    const rng = await kv("POST", "/rng", { count: 8 });
    matches("RandomBytes", rng);
  });

  it("deletes, lists deleted keys, refuses the name with ObjectIsDeletedButRecoverable and purges with a bare 204", async () => {
    await kv("POST", "/keys/doomed/create", { kty: "RSA" });
    const deleted = await kv("DELETE", "/keys/doomed");
    matches("DeletedKeyBundle", deleted);
    expect(Object.keys(deleted.body).slice(0, 3)).toEqual(["recoveryId", "deletedDate", "scheduledPurgeDate"]);
    expect(deleted.body.scheduledPurgeDate - deleted.body.deletedDate).toBe(90 * 86_400);
    // Inside the pending window (recorded: 404 until the delete is done; re-create is 409 ObjectIsBeingDeleted).
    expectError(await kv("GET", "/deletedkeys/doomed"), 404, "KeyNotFound");
    const early = await kv("POST", "/keys/doomed/create", { kty: "RSA" });
    expectError(early, 409, "Conflict", "ObjectIsBeingDeleted");
    expect(early.body.error.message).toBe("Key doomed is currently being deleted and cannot be re-created; retry later.");
    emulator.clock.advance({ seconds: 3 });
    matches("DeletedKeyBundle", await kv("GET", "/deletedkeys/doomed"));
    const list = await kv("GET", "/deletedkeys");
    matches("DeletedKeyListResult", list);
    expect(list.body.value[0]).toMatchObject({ recoveryId: `${base}/deletedkeys/doomed`, kid: `${base}/keys/doomed` });
    const reuse = await kv("POST", "/keys/doomed/create", { kty: "RSA" });
    expectError(reuse, 409, "Conflict", "ObjectIsDeletedButRecoverable");
    expect(reuse.body.error.message).toBe(
      "Key doomed is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.",
    );
    const purged = await kv("DELETE", "/deletedkeys/doomed");
    expect(purged.status).toBe(204);
    expect(purged.headers["content-type"]).toBeUndefined();
    expect(purged.headers["content-length"]).toBeUndefined();
    expect(purged.text).toBe("");
    expectError(await kv("GET", "/deletedkeys/doomed"), 404, "KeyNotFound");
    expect((await kv("GET", "/deletedkeys/doomed")).body.error.message).toBe("Deleted Key not found: doomed");
    expectError(await kv("POST", "/deletedkeys/doomed/recover"), 404, "KeyNotFound");
  });

  it("answers EC and oct keys and their operations in the spec's shapes (KeyBundle, KeyOperationResult, KeyVerifyResult)", async () => {
    createTestVault(emulator, { name: "kv-wire-ec", sku: "premium" });
    const ec = await rawRequest(emulator, { method: "POST", url: `${emulator.endpoints.vaultUrl("kv-wire-ec")}/keys/ec/create?api-version=7.6`, token, body: { kty: "EC-HSM", crv: "P-256" } });
    matches("KeyBundle", ec);
    expect(Object.keys(ec.body.key)).toEqual(["kid", "kty", "key_ops", "crv", "x", "y"]);
    const digest = Buffer.alloc(32, 1).toString("base64url");
    const signed = await rawRequest(emulator, { method: "POST", url: `${ec.body.key.kid}/sign?api-version=7.6`, token, body: { alg: "ES256", value: digest } });
    matches("KeyOperationResult", signed);
    expect(Buffer.from(signed.body.value, "base64url")).toHaveLength(64);
    const verified = await rawRequest(emulator, { method: "POST", url: `${ec.body.key.kid}/verify?api-version=7.6`, token, body: { alg: "ES256", digest, value: signed.body.value } });
    matches("KeyVerifyResult", verified);
    expect(verified.body).toEqual({ value: true });

    const oct = await rawRequest(emulator, { method: "POST", url: `${emulator.endpoints.vaultUrl("kv-wire-ec")}/keys/aes/create?api-version=7.6`, token, body: { kty: "oct-HSM", key_size: 256 } });
    matches("KeyBundle", oct);
    expect(Object.keys(oct.body.key)).toEqual(["kid", "kty", "key_ops"]);
    const gcm = await rawRequest(emulator, { method: "POST", url: `${oct.body.key.kid}/encrypt?api-version=7.6`, token, body: { alg: "A256GCM", value: "aGVsbG8", aad: "YWFk" } });
    matches("KeyOperationResult", gcm);
    expect(Object.keys(gcm.body)).toEqual(["kid", "value", "iv", "tag", "aad"]);
    expectError(await kv("POST", "/keys/ec2/create", { kty: "EC", crv: "P-192" }), 400, "BadParameter");
  });

  it("backs up into an opaque base64url blob and refuses a corrupt one", async () => {
    await kv("POST", "/keys/saved/create", { kty: "RSA" });
    const backup = await kv("POST", "/keys/saved/backup");
    matches("BackupKeyResult", backup);
    expect(backup.body.value).toMatch(/^[A-Za-z0-9_-]+$/);
    expectError(await kv("POST", "/keys/restore", { value: backup.body.value }), 409, "Conflict");
    const corrupt = `${backup.body.value.slice(0, -8)}AAAAAAAA`;
    expectError(await kv("POST", "/keys/restore", { value: corrupt }), 400, "Malformed backup blob");
    expectError(await kv("POST", "/keys/nothere/backup"), 404, "KeyNotFound");
  });

  it("answers permission failures with AccessDenied and ForbiddenByRbac", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "wire-user" });
    const userToken = await tokenFor(emulator, user.userPrincipalName, "https://vault.localhost/.default");
    const denied = await kv("GET", "/keys", undefined, userToken);
    expectError(denied, 403, "Forbidden", "AccessDenied");
    expect(denied.body.error.message).toContain(`oid=${user.objectId}`);
    expect(denied.body.error.message).toContain("does not have keys list permission on key vault 'kv-wire;location=westeurope'");

    const rbac = createTestVault(emulator, { name: "kv-wire-rbac", rbac: true });
    const url = `${emulator.endpoints.vaultUrl("kv-wire-rbac")}/keys?api-version=7.6`;
    const forbidden = await rawRequest(emulator, { method: "GET", url, token });
    expectError(forbidden, 403, "Forbidden", "ForbiddenByRbac");
    expect(forbidden.body.error.message).toContain("Action: 'Microsoft.KeyVault/vaults/keys/read'\r\n");
    expect(forbidden.body.error.message).toContain(`Resource: '${vaultResourceId(rbac).toLowerCase()}'\r\n`);
    emulator.assignRole({ scope: vaultResourceId(rbac), roleId: BUILT_IN_ROLES.keyVaultReader.id, principalId: emulator.admin.objectId });
    expect((await rawRequest(emulator, { method: "GET", url, token })).status).toBe(200);
  });

  it("answers an unknown vault with 404 VaultNotFound, challenge or not", async () => {
    const url = `${emulator.endpoints.vaultUrl("kv-missing")}/keys?api-version=7.6`;
    expectError(await rawRequest(emulator, { method: "GET", url }), 404, "VaultNotFound");
    expectError(await rawRequest(emulator, { method: "GET", url, token }), 404, "VaultNotFound");
  });
});
