/**
 * The JSON-lines protocol between a PowerShell transport and its host script
 * (customer-key-host.ps1), and the checks on cmdlet parameters made before anything is sent.
 */
import { InvalidInputError } from "../../errors.js";
import type { ExchangeParameterValue } from "../exchange-transport.js";
import type { PowerShellErrorRecord } from "./powershell-errors.js";

/** The protocol version the host announces in its first line. */
export const HOST_PROTOCOL_VERSION = 1;

/** One request line. */
export interface HostRequest {
  id: number;
  op: "connect" | "invoke";
  cmdlet: string;
  parameters: Record<string, ExchangeParameterValue>;
}

/** One response line. */
export interface HostResponse {
  id: number;
  ok: boolean;
  value: unknown[];
  warnings: string[];
  error?: PowerShellErrorRecord;
}

/** The host's parameters the caller may not set: PowerShell's common parameters (the host sets them). */
const RESERVED = new Set(
  ["Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable"].map((n) => n.toLowerCase()),
);

/**
 * Checks cmdlet parameters: names are plain identifiers, not common parameters and not repeated
 * in another case (PowerShell names are case-insensitive); values are strings, finite numbers,
 * booleans, null or arrays of strings. String contents are free: they travel as data.
 */
export function checkParameters(parameters: Readonly<Record<string, unknown>> | undefined): Record<string, ExchangeParameterValue> {
  const out: Record<string, ExchangeParameterValue> = {};
  if (parameters === undefined) return out;
  if (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)) {
    throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "parameters must be an object of named parameters.", { field: "parameters" });
  }
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(parameters)) {
    const field = `parameters.${name}`;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `Parameter name '${name.slice(0, 40)}' is not a PowerShell parameter name (letters and digits, starting with a letter).`, { field });
    }
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `Parameter '${name}' is a common parameter the transport sets itself.`, { field });
    }
    if (seen.has(lower)) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `Parameter '${name}' is given twice (PowerShell parameter names ignore case).`, { field });
    }
    seen.add(lower);
    const ok =
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (Array.isArray(value) && value.every((item) => typeof item === "string"));
    if (!ok) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `Parameter '${name}' must be a string, a finite number, a boolean, null or an array of strings.`, { field });
    }
    out[name] = Array.isArray(value) ? [...(value as string[])] : (value as ExchangeParameterValue);
  }
  return out;
}

/** Parses one stdout line: a response object, or undefined for anything else (module noise). */
export function parseResponseLine(line: string): HostResponse | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const r = parsed as Partial<HostResponse> | null;
  if (!r || typeof r !== "object" || typeof r.id !== "number" || typeof r.ok !== "boolean") return undefined;
  const value = r.value === undefined || r.value === null ? [] : Array.isArray(r.value) ? r.value : [r.value];
  const warnings = Array.isArray(r.warnings) ? r.warnings.map((w) => String(w)) : [];
  const e = r.error as Partial<PowerShellErrorRecord> | undefined;
  const error: PowerShellErrorRecord | undefined =
    e && typeof e === "object"
      ? {
          errorId: String(e.errorId ?? ""),
          exceptionClass: String(e.exceptionClass ?? ""),
          ...(e.reason ? { reason: String(e.reason) } : {}),
          category: String(e.category ?? "NotSpecified"),
          message: String(e.message ?? ""),
        }
      : undefined;
  return { id: r.id, ok: r.ok, value, warnings, ...(error ? { error } : {}) };
}
