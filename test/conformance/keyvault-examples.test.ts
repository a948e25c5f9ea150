import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createTestVault } from "../emulator/helpers/vaults.js";
import { exampleRequest, readJson, responseDefinition, type Example } from "./helpers/examples.js";
import { rawRequest, tokenFor } from "./helpers/raw.js";
import { validateAgainstSwagger } from "./helpers/swagger.js";
import { specPath } from "./helpers/specs.js";

const spec = specPath("keyvault-keys/keys.json");
const examplesDir = specPath("keyvault-keys/examples");

let emulator: Emulator;
let token: string;
let base: string;
beforeAll(async () => {
  emulator = await startEmulator();
  createTestVault(emulator, { name: "kv-examples" });
  base = emulator.endpoints.vaultUrl("kv-examples");
  token = await tokenFor(emulator, emulator.admin.userPrincipalName, "https://vault.localhost/.default");
});
afterAll(() => emulator?.stop());

const call = (method: string, path: string, body?: unknown) =>
  rawRequest(emulator, { method, url: `${base}${path}`, token, ...(body !== undefined ? { body } : {}) });

/** Deletes a key and lets the emulator clock pass the pending window, so the deleted key is readable. */
async function deleteKey(name: string): Promise<void> {
  await call("DELETE", `/keys/${name}?api-version=7.6`);
  emulator.clock.advance({ seconds: 3 });
}

/** Tagged like the examples' keys, so their bodies carry `tags`. */
async function createKey(name: string): Promise<string> {
  const res = await call("POST", `/keys/${name}/create?api-version=7.6`, { kty: "RSA", tags: { purpose: "unit test" } });
  return String(res.body.key.kid).split("/").at(-1)!;
}

/**
 * What the vault must hold before an example can run, and the parameter values it runs with.
 * The examples' own key names are kept; versions, ciphertexts and skiptokens are the emulator's.
 */
const setups: Record<string, (name: string, example: Example) => Promise<Record<string, unknown>>> = {
  CreateKey: async () => ({}),
  GetKey: async (name) => ({ "key-version": await createKey(name) }),
  UpdateKey: async (name) => ({ "key-version": await createKey(name) }),
  GetKeyVersions: async (name) => (await createKey(name), await createKey(name), {}),
  GetKeys: async () => (await createKey("listed-a"), await createKey("listed-b"), {}),
  DeleteKey: async (name) => (await createKey(name), {}),
  GetDeletedKey: async (name) => (await createKey(name), await deleteKey(name), {}),
  GetDeletedKeys: async () => (await createKey("gone-a"), await deleteKey("gone-a"), {}),
  RecoverDeletedKey: async (name) => (await createKey(name), await deleteKey(name), {}),
  PurgeDeletedKey: async (name) => (await createKey(name), await deleteKey(name), {}),
  RotateKey: async (name) => (await createKey(name), {}),
  GetKeyRotationPolicy: async (name) => (await createKey(name), {}),
  UpdateKeyRotationPolicy: async (name) => (await createKey(name), {}),
  wrapKey: async (name) => ({ "key-version": await createKey(name) }),
  unwrapKey: async (name, example) => {
    const version = await createKey(name);
    const wrapped = await call("POST", `/keys/${name}/${version}/wrapkey?api-version=7.6`, { alg: "RSA-OAEP", value: "c2VjcmV0" });
    const parameters = { ...(example.parameters["parameters"] as Record<string, unknown>), alg: "RSA-OAEP", value: wrapped.body.value };
    return { "key-version": version, parameters };
  },
};

const operationOf = (file: string) => basename(file).replace(/-example\.json$/, "");
const files = readdirSync(examplesDir).flatMap((version) => readdirSync(join(examplesDir, version)).map((f) => join(examplesDir, version, f)));

describe("Key Vault keys examples replayed against the emulator", () => {
  it.each(files.map((f) => [f.slice(examplesDir.length + 1), f]))("%s", async (_label, file) => {
    const example = readJson<Example>(file);
    const operationId = operationOf(file);
    const setup = setups[operationId];
    expect(setup, `no setup for ${operationId}`).toBeDefined();
    // Examples share key names (CreateSoftKeyTest is created, deleted and read): each runs on its own.
    const name = `ex-${operationId}`;
    const overrides = { "key-name": name, ...(await setup!(name, example)) };
    const request = exampleRequest(spec, operationId, example, overrides);
    const res = await call(request.method, request.path, request.body);
    expect(request.statuses, `${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
    const definition = responseDefinition(spec, request.operation, res.status);
    const expected = example.responses[String(res.status)]?.body as Record<string, unknown> | undefined;
    if (!definition || expected === undefined) {
      expect(res.text).toBe("");
      return;
    }
    const body = res.body.nextLink === null ? { ...res.body, nextLink: undefined } : res.body;
    expect(validateAgainstSwagger(spec, definition, JSON.parse(JSON.stringify(body))).errors).toEqual([]);
    // Same members as the example at the top level (values are the emulator's own).
    for (const member of Object.keys(expected)) {
      if (member === "nextLink" && expected[member] && res.body.nextLink === null) continue;
      expect(res.body, `member ${member}`).toHaveProperty(member);
    }
  });
});
