/** Writes schema/customer-key.config.schema.json from the zod schema: `npm run schema:update`. */
import { writeFile } from "node:fs/promises";
import { onboardingConfigJsonSchemaText } from "../src/onboarding/json-schema.js";

await writeFile(new URL("../schema/customer-key.config.schema.json", import.meta.url), onboardingConfigJsonSchemaText());
console.log("schema/customer-key.config.schema.json written");
