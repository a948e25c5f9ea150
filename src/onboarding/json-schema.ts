/**
 * The JSON Schema of the onboarding configuration, generated from the zod schema (so the two cannot
 * drift: test/onboarding/json-schema.test.ts checks the shipped file is current). Editors use it
 * to complete and check `customer-key.config.json` / `.yaml`. The rules zod checks in code (vault
 * name rules, region pairs, key URI shapes) are refinements JSON Schema cannot express.
 */
import { z } from "zod";
import { onboardingConfigSchema } from "./config-schema.js";

/** The schema as the JSON text shipped in `schema/customer-key.config.schema.json`. */
export function onboardingConfigJsonSchemaText(): string {
  const schema = z.toJSONSchema(onboardingConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const out = {
    $schema: schema["$schema"],
    $id: "https://unpkg.com/customer-key/schema/customer-key.config.schema.json",
    title: "customer-key onboarding configuration",
    description: "Tenant, subscriptions, vault pairs, keys, backups and Microsoft 365 policies of a Customer Key onboarding (customer-key plan / apply).",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
