/**
 * The checks every Exchange transport makes before sending: the cmdlet is one of
 * EXCHANGE_CMDLETS, parameter names are PowerShell names, values are of the types a cmdlet
 * receives. A failure is an InvalidInputError and nothing is sent.
 */
import { InvalidInputError } from "../errors.js";
import { EXCHANGE_CMDLETS, type ExchangeCommand, type ExchangeParameterValue } from "./exchange-transport.js";

const cmdlets = new Set<string>(EXCHANGE_CMDLETS);
/** A PowerShell parameter name: letters and digits (no `@`, so no OData annotation can be smuggled in). */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** The cmdlets that take `ResultSize`, so paging can be capped (and re-done in one request) by the service. */
export const RESULT_SIZE_CMDLETS: ReadonlySet<string> = new Set(["Get-Mailbox", "Get-MailUser"]);

function isParameterValue(value: unknown): value is ExchangeParameterValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Throws InvalidInputError unless `command` may be sent; answers its parameters (never with `Confirm: true`). */
export function checkExchangeCommand(command: ExchangeCommand, options: { resultSize?: number | undefined } = {}): Record<string, ExchangeParameterValue> {
  if (typeof command !== "object" || command === null || !cmdlets.has(command.cmdlet)) {
    const name = typeof (command as { cmdlet?: unknown } | null)?.cmdlet === "string" ? `'${String(command.cmdlet).slice(0, 80)}'` : "a command without a cmdlet name";
    throw new InvalidInputError("ERR_EXCHANGE_CMDLET_UNSUPPORTED", `${name} is not one of the cmdlets Customer Key needs (${EXCHANGE_CMDLETS.join(", ")}); nothing was sent.`, { field: "cmdlet" });
  }
  const parameters: Record<string, ExchangeParameterValue> = {};
  const given = command.parameters ?? {};
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `The parameters of ${command.cmdlet} must be an object of named parameters.`, { field: "parameters" });
  }
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!PARAMETER_NAME.test(name)) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `'${name.slice(0, 80)}' is not a PowerShell parameter name (letters and digits only).`, { field: `parameters.${name.slice(0, 80)}` });
    }
    if (!isParameterValue(value)) {
      // The value is not echoed: it may be anything, including a secret pasted in the wrong place.
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `The value of ${command.cmdlet} -${name} must be a string, a finite number, a boolean (switches are true), null or an array of strings.`, { field: `parameters.${name}` });
    }
    if (name.toLowerCase() === "confirm") {
      if (value !== false) throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "Confirm is always sent as false: a transport cannot answer a confirmation prompt. Leave it out.", { field: "parameters.Confirm" });
      continue;
    }
    parameters[name] = value;
  }
  if (options.resultSize !== undefined && !(Number.isInteger(options.resultSize) && options.resultSize >= 1)) {
    throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `resultSize must be a whole number of at least 1, got ${String(options.resultSize)}.`, { field: "resultSize" });
  }
  return parameters;
}
