import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const repoRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/**
 * The wire contracts the emulator is checked against: the project's shared `../shared/specs`
 * when it sits beside the repository (the canonical copy), else the snapshot committed under
 * test/conformance/specs, so a clone on its own still runs the conformance suite.
 */
export const SPECS_DIR = [join(repoRoot, "..", "shared", "specs"), join(repoRoot, "test", "conformance", "specs")].find((dir) =>
  existsSync(join(dir, "keyvault-keys", "keys.json")),
)!;

export const specPath = (...parts: string[]) => join(SPECS_DIR, ...parts);
