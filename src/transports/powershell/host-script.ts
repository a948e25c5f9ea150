/**
 * Where the shipped host script is. The build copies it to dist/powershell/; from the sources it
 * sits next to this module. Both the ESM and the CommonJS builds find it relative to their own file.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PowerShellHostError } from "./powershell-errors.js";

/** The host script's file name. */
export const HOST_SCRIPT_FILE = "customer-key-host.ps1";

function moduleDirectory(): string {
  // CommonJS has __dirname; ESM has import.meta.url (the CJS build never reaches it).
  return typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/** The absolute path of customer-key-host.ps1, or a typed error naming where it was looked for. */
export function hostScriptPath(): string {
  const here = moduleDirectory();
  const candidates = [path.join(here, HOST_SCRIPT_FILE), path.join(here, "powershell", HOST_SCRIPT_FILE), path.join(here, "..", "powershell", HOST_SCRIPT_FILE)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new PowerShellHostError("ERR_POWERSHELL_START_FAILED", `The PowerShell host script ${HOST_SCRIPT_FILE} is missing from the package (looked in ${candidates.join(", ")}); reinstall customer-key.`);
  }
  return found;
}

/** The pwsh arguments that run the host script in one mode. No user value and no secret: those travel on stdin. */
export function hostArguments(mode: "exchange" | "sharepoint"): string[] {
  return ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", hostScriptPath(), "-Mode", mode];
}
