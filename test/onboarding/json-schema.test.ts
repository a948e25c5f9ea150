import { readFile } from "node:fs/promises";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseOnboardingConfig } from "../../src/index.js";
import { onboardingConfigJsonSchemaText } from "../../src/onboarding/json-schema.js";

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), "utf8");

describe("the shipped JSON Schema of the onboarding configuration", () => {
  it("is current with the zod schema (run `npm run schema:update` when it is not)", async () => {
    expect(await read("schema/customer-key.config.schema.json")).toBe(onboardingConfigJsonSchemaText());
  });

  it("is shipped in the package", async () => {
    const pkg = JSON.parse(await read("package.json")) as { files: string[] };
    expect(pkg.files).toContain("schema");
  });

  it("accepts the sample configuration, which the SDK parses too, and refuses unknown fields", async () => {
    const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false });
    const validate = ajv.compile(JSON.parse(await read("schema/customer-key.config.schema.json")) as object);
    const sample = JSON.parse(await read("examples/onboarding-config.json")) as Record<string, unknown>;
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
    expect(parseOnboardingConfig(sample).policies.exchange).toHaveLength(3);
    expect(validate({ ...sample, tenant: "contoso" })).toBe(false);
  });
});
