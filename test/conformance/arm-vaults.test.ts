import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { exampleRequest, readJson, responseDefinition, withTenant, type Example } from "./helpers/examples.js";
import { arm, tokenFor, type RawResponse } from "./helpers/raw.js";
import { validateAgainstSwagger } from "./helpers/swagger.js";
import { specPath } from "./helpers/specs.js";

const dir = specPath("arm/keyvault/2024-11-01");
const spec = `${dir}/keyvault.json`;
const example = (name: string) => readJson<Example>(`${dir}/examples/${name}`);

let emulator: Emulator;
let token: string;
let sub: string;

beforeAll(async () => {
  emulator = await startEmulator();
  sub = emulator.subscriptionIds[0]!;
  token = await tokenFor(emulator, emulator.admin.userPrincipalName);
  for (const rg of ["sample-resource-group", "sample-group"]) {
    expect((await arm(emulator, token, "PUT", `/subscriptions/${sub}/resourcegroups/${rg}?api-version=2025-04-01`, { location: "westus" })).status).toBe(201);
  }
});
afterAll(() => emulator?.stop());

/** Sends an example's request and checks the status is listed and the body matches the swagger. */
async function replay(operationId: string, file: string, overrides: Record<string, unknown> = {}): Promise<RawResponse> {
  const request = exampleRequest(spec, operationId, withTenant(example(file), emulator.tenantId), { subscriptionId: sub, ...overrides });
  const res = await arm(emulator, token, request.method, request.path, request.body);
  expect(request.statuses, `${operationId} answered ${res.status}: ${res.text}`).toContain(res.status);
  expectSwaggerBody(request.operation, res);
  return res;
}

function expectSwaggerBody(operation: Parameters<typeof responseDefinition>[1], res: RawResponse): void {
  const definition = responseDefinition(spec, operation, res.status);
  if (!definition) return;
  const result = validateAgainstSwagger(spec, definition, res.body);
  expect(result.errors, `${definition}: ${res.text}`).toEqual([]);
}

/** Error answers are CloudError bodies with both code and message. */
function expectCloudError(res: RawResponse, status: number, code?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(validateAgainstSwagger(spec, "common.json#CloudError", res.body).errors).toEqual([]);
  expect(typeof res.body?.error?.code).toBe("string");
  expect(typeof res.body?.error?.message).toBe("string");
  if (code) expect(res.body.error.code).toBe(code);
}

describe("Microsoft.KeyVault 2024-11-01 examples replayed against the emulator", () => {
  it("createVault: 201 on create (async DNS registration), 200 on update, then GET equals", async () => {
    const created = await replay("Vaults_CreateOrUpdate", "createVault.json");
    expect(created.status).toBe(201);
    expect(created.headers["azure-asyncoperation"]).toMatch(/\/providers\/Microsoft\.KeyVault\/locations\/westus\/operationResults\//);
    const poll = await arm(emulator, token, "GET", String(created.headers["azure-asyncoperation"]).slice(emulator.endpoints.resourceManager.length));
    expect(poll.body.status).toBe("Succeeded");
    const updated = await replay("Vaults_CreateOrUpdate", "createVault.json");
    expect(updated.status).toBe(200);
    expect(updated.body.properties.provisioningState).toBe("Succeeded");
    expect(updated.body.properties.vaultUri).toBe(`${emulator.endpoints.vaultUrl("sample-vault")}/`);
    const got = await arm(emulator, token, "GET", `/subscriptions/${sub}/resourceGroups/sample-resource-group/providers/Microsoft.KeyVault/vaults/sample-vault?api-version=2024-11-01`);
    expect(got.body).toEqual(updated.body);
    expect(validateAgainstSwagger(spec, "Vault", got.body).errors).toEqual([]);
  });

  it("checkVaultNameAvailability", async () => {
    const res = await replay("Vaults_CheckNameAvailability", "checkVaultNameAvailability.json", { vaultName: { name: "sample-vault-2", type: "Microsoft.KeyVault/vaults" } });
    expect(res.body).toEqual({ nameAvailable: true });
    const taken = await replay("Vaults_CheckNameAvailability", "checkVaultNameAvailability.json");
    expect(taken.body).toMatchObject({ nameAvailable: false, reason: "AlreadyExists" });
    const invalid = await replay("Vaults_CheckNameAvailability", "checkVaultNameAvailability.json", { vaultName: { name: "9-lives", type: "Microsoft.KeyVault/vaults" } });
    expect(invalid.body).toMatchObject({ nameAvailable: false, reason: "AccountNameInvalid" });
  });

  it("updateAccessPoliciesAdd echoes the request's policies", async () => {
    await arm(emulator, token, "PUT", `/subscriptions/${sub}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault-ap?api-version=2024-11-01`, {
      location: "westus",
      properties: { tenantId: emulator.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [] },
    });
    const res = await replay("Vaults_UpdateAccessPolicy", "updateAccessPoliciesAdd.json", { vaultName: "sample-vault-ap" });
    const expected = withTenant(example("updateAccessPoliciesAdd.json").responses["200"]!.body as Record<string, unknown>, emulator.tenantId);
    expect(res.body).toEqual({ ...expected, id: `/subscriptions/${sub}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault-ap/accessPolicies/` });
  });

  it("deleteVault, getDeletedVault, listDeletedVaults, purgeDeletedVault", async () => {
    await arm(emulator, token, "PUT", `/subscriptions/${sub}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault?api-version=2024-11-01`, {
      location: "westus",
      properties: { tenantId: emulator.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [] },
    }).then((r) => expect(r.status).toBe(409));
    await replay("Vaults_Delete", "deleteVault.json", { resourceGroupName: "sample-resource-group" });
    const deleted = await replay("Vaults_GetDeleted", "getDeletedVault.json");
    expect(deleted.body.properties.vaultId).toBe(`/subscriptions/${sub}/resourceGroups/sample-resource-group/providers/Microsoft.KeyVault/vaults/sample-vault`);
    const list = await replay("Vaults_ListDeleted", "listDeletedVaults.json");
    expect(list.body.value).toHaveLength(1);
    const purge = await replay("Vaults_PurgeDeleted", "purgeDeletedVault.json");
    expect(purge.status).toBe(202);
    const location = String(purge.headers["location"]);
    const poll = await arm(emulator, token, "GET", location.slice(emulator.endpoints.resourceManager.length));
    expect(poll.status).toBe(200);
    expectCloudError(await arm(emulator, token, "GET", `/subscriptions/${sub}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/sample-vault?api-version=2024-11-01`), 404);
    const again = await replay("Vaults_Delete", "deleteVault.json", { resourceGroupName: "sample-resource-group" });
    expect(again.status).toBe(204);
  });

  it("lists vaults in the swagger's list shapes", async () => {
    const byGroup = await arm(emulator, token, "GET", `/subscriptions/${sub}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults?api-version=2024-11-01&$top=1`);
    expect(validateAgainstSwagger(spec, "VaultListResult", byGroup.body).errors).toEqual([]);
    const bySub = await arm(emulator, token, "GET", `/subscriptions/${sub}/providers/Microsoft.KeyVault/vaults?api-version=2024-11-01`);
    expect(validateAgainstSwagger(spec, "VaultListResult", bySub.body).errors).toEqual([]);
    const generic = await arm(emulator, token, "GET", `/subscriptions/${sub}/resources?$filter=${encodeURIComponent("resourceType eq 'Microsoft.KeyVault/vaults'")}&api-version=2015-11-01`);
    expect(validateAgainstSwagger(spec, "ResourceListResult", generic.body).errors).toEqual([]);
    expect(generic.body.value.length).toBeGreaterThan(0);
  });
});

describe("Microsoft.KeyVault errors are CloudError bodies", () => {
  const vaultPath = (rg: string, name: string, version = "?api-version=2024-11-01") =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}${version}`;

  it("unknown vault, resource group, subscription and deleted vault → 404", async () => {
    const vault = await arm(emulator, token, "GET", vaultPath("sample-group", "no-such-vault"));
    expectCloudError(vault, 404, "ResourceNotFound");
    expect(vault.body.error.message).toMatch(/^The Resource 'Microsoft.KeyVault\/vaults\/no-such-vault' under resource group 'sample-group' was not found/);
    expectCloudError(await arm(emulator, token, "GET", vaultPath("no-such-rg", "no-such-vault")), 404, "ResourceGroupNotFound");
    expectCloudError(await arm(emulator, token, "GET", `/subscriptions/00000000-0000-0000-0000-00000000dead/providers/Microsoft.KeyVault/vaults?api-version=2024-11-01`), 404, "SubscriptionNotFound");
    expectCloudError(await arm(emulator, token, "POST", `/subscriptions/${sub}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/nope/purge?api-version=2024-11-01`), 404);
  });

  it("missing api-version → 400 MissingApiVersionParameter; bad input → 400/409", async () => {
    expectCloudError(await arm(emulator, token, "GET", vaultPath("sample-group", "x", "")), 400, "MissingApiVersionParameter");
    const body = { location: "westus", properties: { tenantId: emulator.tenantId, sku: { family: "A", name: "standard" } } };
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "bad--name"), body), 400, "VaultNameNotValid");
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "ck-bad-loc"), { ...body, location: "moon" }), 400, "LocationNotAvailableForResourceType");
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "ck-bad-pp"), { ...body, properties: { ...body.properties, enablePurgeProtection: false } }), 400, "BadRequest");
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "ck-bad-ret"), { ...body, properties: { ...body.properties, softDeleteRetentionInDays: 91 } }), 400);
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "ck-bad-sku"), { ...body, properties: { ...body.properties, sku: { family: "A", name: "basic" } } }), 400);
    expectCloudError(await arm(emulator, token, "PUT", vaultPath("sample-group", "ck-bad-kind") .replace("?", "/accessPolicies/merge?"), { properties: { accessPolicies: [] } }), 400);
  });

  it("a caller without a role gets 403 AuthorizationFailed", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "conformance-nobody" });
    const other = await tokenFor(emulator, sp.appId);
    const res = await arm(emulator, other, "GET", vaultPath("sample-group", "sample-vault-ap"));
    expectCloudError(res, 403, "AuthorizationFailed");
    expect(res.body.error.message).toMatch(/^The client '.+' with object id '.+' does not have authorization to perform action 'Microsoft\.KeyVault\/vaults\/read' over scope '.+' or the scope is invalid\. If access was recently granted, please refresh your credentials\.$/);
  });
});
