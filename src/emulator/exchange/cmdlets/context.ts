import type { Caller } from "../../kernel/auth.js";
import type { EmulatorCore } from "../../kernel/core.js";
import type { DirectoryRoleName } from "../../kernel/directory.js";
import { exoErrors } from "../errors.js";

/** What a cmdlet returns: rows produced on demand (so 100,000 mailboxes are paged, not built), and warnings. */
export interface CmdletResult {
  count: number;
  slice(from: number, to: number): unknown[];
  warnings?: string[];
}

export const rows = (list: readonly unknown[], warnings?: string[]): CmdletResult => ({
  count: list.length,
  slice: (from, to) => list.slice(from, to),
  ...(warnings && warnings.length > 0 ? { warnings } : {}),
});

/** The parameters of one invocation, looked up case-insensitively as PowerShell binds them. */
export class CmdletParameters {
  readonly #values = new Map<string, { name: string; value: unknown }>();

  constructor(raw: unknown) {
    if (raw === undefined || raw === null) return;
    if (typeof raw !== "object" || Array.isArray(raw)) throw exoErrors.badRequest("CmdletInput.Parameters must be a JSON object.");
    for (const [name, value] of Object.entries(raw)) {
      // `<Name>@odata.type` annotations ride along with hashtables and collections.
      if (name.includes("@")) continue;
      this.#values.set(name.toLowerCase(), { name, value });
    }
  }

  /** Refuses a parameter the cmdlet does not have, with the gateway's AmbiguousParameterSet error. */
  allowOnly(names: readonly string[]): void {
    const allowed = new Set([...names, ...COMMON].map((n) => n.toLowerCase()));
    for (const [key, { name }] of this.#values) if (!allowed.has(key)) throw exoErrors.unknownParameter(name);
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  /** Names given, as sent. */
  names(): string[] {
    return [...this.#values.values()].map((v) => v.name);
  }

  raw(name: string): unknown {
    return this.#values.get(name.toLowerCase())?.value;
  }

  string(name: string, options: { required: true }): string;
  string(name: string, options?: { required?: boolean }): string | undefined;
  string(name: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) {
      if (options.required) throw exoErrors.missingParameter(name);
      return undefined;
    }
    if (typeof value !== "string" && typeof value !== "number") throw exoErrors.badParameterValue(name, "The value must be a string.");
    return String(value);
  }

  /** A nullable string: `null` when sent as JSON null (`-DataEncryptionPolicy $null`), `undefined` when absent. */
  nullableString(name: string): string | null | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw(name);
    return value === null || value === "" ? null : this.string(name);
  }

  /** A bool or switch: JSON true/false (the module sends switches as booleans). */
  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "True" || value === "$true") return true;
    if (value === "false" || value === "False" || value === "$false") return false;
    throw exoErrors.badParameterValue(name, `Cannot convert value "${String(value).slice(0, 40)}" to type "System.Boolean".`);
  }

  /** A MultiValuedProperty: a JSON array of strings, or one comma-separated string. */
  strings(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.map((v) => v.trim());
    throw exoErrors.badParameterValue(name, "The value must be a string or an array of strings.");
  }

  /** `ResultSize`: a positive number or `Unlimited`; `fallback` when absent. */
  resultSize(fallback: number): number {
    const value = this.raw("ResultSize");
    if (value === undefined || value === null) return fallback;
    if (typeof value === "string" && value.toLowerCase() === "unlimited") return Number.POSITIVE_INFINITY;
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isInteger(n) || n < 1) throw exoErrors.badParameterValue("ResultSize", `Cannot convert value "${String(value).slice(0, 40)}" to type "Microsoft.Exchange.Data.Unlimited\`1[System.UInt32]".`);
    return n;
  }
}

/** Parameters every cmdlet takes (PowerShell common parameters the module forwards). */
const COMMON = ["Confirm", "DomainController", "ErrorAction", "WarningAction", "Verbose"];

/** What a cmdlet runs with. */
export interface CmdletContext {
  core: EmulatorCore;
  caller: Caller;
  params: CmdletParameters;
}

/** A cmdlet of the emulated service. */
export interface Cmdlet {
  name: string;
  /** Directory roles that may run it (Global Administrator always may). */
  roles: readonly DirectoryRoleName[];
  /** Changes nothing: `requests.mutating()` leaves it out. */
  readOnly: boolean;
  /** Parameter names beyond the common ones. */
  parameters: readonly string[];
  run(ctx: CmdletContext): Promise<CmdletResult> | CmdletResult;
}

export const EXCHANGE_ADMIN: readonly DirectoryRoleName[] = ["Exchange Administrator"];
export const DATA_AT_REST_ADMIN: readonly DirectoryRoleName[] = ["Exchange Administrator", "Compliance Administrator"];

/** The warning of a Set-* that changed nothing (seen in admin transcripts). */
export const noChangeWarning = (identity: string) => `The command completed successfully but no settings of '${identity}' have been modified.`;
