import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { exampleRequest, readJson, responseDefinition, type Example } from "./helpers/examples.js";
import { arm, tokenFor } from "./helpers/raw.js";
import { validateAgainstSwagger } from "./helpers/swagger.js";
import { specPath } from "./helpers/specs.js";

const featuresDir = specPath("arm/features");
const spec = `${featuresDir}/2021-07-01/features.json`;
const resourcesDir = specPath("arm/resources/2021-04-01/examples");

let emulator: Emulator;
let token: string;
let sub: string;

beforeAll(async () => {
  emulator = await startEmulator();
  sub = emulator.subscriptionIds[0]!;
  token = await tokenFor(emulator, emulator.admin.userPrincipalName);
});
afterAll(() => emulator?.stop());

describe("Microsoft.Features 2021-07-01 examples", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ["Features_Register", "2021-07-01/examples/registerFeature.json", { resourceProviderNamespace: "Microsoft.Resources", featureName: "mandatoryRetentionPeriodEnabled" }],
    ["Features_Get", "2025-03-01/examples/getFeature.json", { resourceProviderNamespace: "Microsoft.Resources", featureName: "mandatoryRetentionPeriodEnabled", "api-version": "2021-07-01" }],
    ["Features_List", "2021-07-01/examples/listProviderFeatures.json", { resourceProviderNamespace: "Microsoft.Resources" }],
  ];
  for (const [operationId, file, overrides] of cases) {
    it(`${operationId} (${file})`, async () => {
      const example = readJson<Example>(`${featuresDir}/${file}`);
      const request = exampleRequest(spec, operationId, example, { subscriptionId: sub, ...overrides });
      const res = await arm(emulator, token, request.method, request.path, request.body);
      expect(request.statuses).toContain(res.status);
      const definition = responseDefinition(spec, request.operation, res.status)!;
      expect(validateAgainstSwagger(spec, definition, res.body).errors).toEqual([]);
    });
  }

  it("answers the Do-Not-Cancel feature in ARM's real shape", async () => {
    const res = await arm(emulator, token, "GET", `/subscriptions/${sub}/providers/Microsoft.Features/providers/Microsoft.Resources/features/mandatoryRetentionPeriodEnabled?api-version=2021-07-01`);
    expect(res.body).toEqual({
      id: `/subscriptions/${sub}/providers/Microsoft.Features/providers/Microsoft.Resources/features/mandatoryRetentionPeriodEnabled`,
      name: "Microsoft.Resources/mandatoryRetentionPeriodEnabled",
      type: "Microsoft.Features/providers/features",
      properties: { state: "Pending" },
    });
    const all = await arm(emulator, token, "GET", `/subscriptions/${sub}/providers/Microsoft.Features/features?api-version=2021-07-01`);
    expect(validateAgainstSwagger(spec, "FeatureOperationsListResult", all.body).errors).toEqual([]);
  });

  it("errors are ErrorResponse bodies", async () => {
    const res = await arm(emulator, token, "GET", `/subscriptions/00000000-0000-0000-0000-00000000dead/providers/Microsoft.Features/features?api-version=2021-07-01`);
    expect(res.status).toBe(404);
    expect(validateAgainstSwagger(spec, "ErrorResponse", res.body).errors).toEqual([]);
    expect(res.body.error).toMatchObject({ code: "SubscriptionNotFound", message: expect.any(String) });
  });
});

describe("Microsoft.Resources provider examples (no schema copied: the example's shape is the contract)", () => {
  /** Every key path of the example body (arrays by their first item) must exist in the answer. */
  function shapeOf(value: unknown, prefix = ""): string[] {
    if (Array.isArray(value)) return value.length ? shapeOf(value[0], `${prefix}[]`) : [prefix];
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...shapeOf(v, `${prefix}.${k}`)]);
    return [];
  }

  for (const [file, method, suffix] of [["RegisterProviders.json", "POST", "/register"], ["GetProvider.json", "GET", ""]] as const) {
    it(file, async () => {
      const example = readJson<Example>(`${resourcesDir}/${file}`);
      const res = await arm(emulator, token, method, `/subscriptions/${sub}/providers/Microsoft.KeyVault${suffix}?api-version=2021-04-01`);
      expect(Object.keys(example.responses).map(Number)).toContain(res.status);
      const optional = [".resourceTypes[].locationMappings", ".resourceTypes[].locationMappings[].location", ".resourceTypes[].locationMappings[].type", ".resourceTypes[].locationMappings[].extendedLocations", ".resourceTypes[].locationMappings[].extendedLocations[]"];
      const expected = shapeOf(example.responses[String(res.status)]!.body).filter((p) => !optional.includes(p));
      const actual = new Set(shapeOf(res.body));
      expect(expected.filter((p) => !actual.has(p) && !actual.has(`${p}[]`))).toEqual([]);
      expect(res.body).toMatchObject({ id: `/subscriptions/${sub}/providers/Microsoft.KeyVault`, namespace: "Microsoft.KeyVault", registrationState: "Registered" });
    });
  }
});
