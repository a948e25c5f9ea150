/**
 * The typed error of an Exchange Online cmdlet the service refused, and how an InvokeCommand error
 * body is read (research m365-wire-shapes §2). Shared by every Exchange transport: the class keeps
 * what PowerShell's ErrorRecord would show (ErrorId, exception class, text) whatever the wire was.
 */
import { ServiceRequestError, type CustomerKeyErrorCode, type CustomerKeyErrorOptions } from "../errors.js";
import type { ExchangeCmdlet } from "./exchange-transport.js";

/**
 * Server exceptions after which the module retries (its constants block, research
 * m365-endpoints §1.9): the directory or the store was busy, so the cmdlet did not run.
 */
export const RETRYABLE_EXCHANGE_EXCEPTIONS = [
  "DCOverloadedException",
  "SuitabilityDirectoryException",
  "ServerInMMException",
  "ADServerSettingsChangedException",
  "StorageTransientException",
] as const;

/** The exception classes (short names) behind each code; anything else is `ERR_EXCHANGE_COMMAND_FAILED`. */
const codeByClass: Record<string, CustomerKeyErrorCode> = {
  ManagementObjectNotFoundException: "ERR_EXCHANGE_OBJECT_NOT_FOUND",
  ADNoSuchObjectException: "ERR_EXCHANGE_OBJECT_NOT_FOUND",
  ManagementObjectAlreadyExistsException: "ERR_EXCHANGE_OBJECT_EXISTS",
  ADObjectAlreadyExistsException: "ERR_EXCHANGE_OBJECT_EXISTS",
  ParameterBindingException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  AmbiguousParameterSetException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  ParameterTransformationException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  TaskArgumentException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  ArgumentException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  ArgumentNullException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  DataValidationException: "ERR_EXCHANGE_ARGUMENT_REFUSED",
  TaskInvalidOperationException: "ERR_EXCHANGE_OPERATION_REFUSED",
  InvalidOperationException: "ERR_EXCHANGE_OPERATION_REFUSED",
  ...Object.fromEntries(RETRYABLE_EXCHANGE_EXCEPTIONS.map((c) => [c, "ERR_EXCHANGE_SERVER_BUSY" as const])),
};

/** The text of a stale continuation (qa-1023619, g2o); its class is only `System.Exception`. */
const PAGING_EXPIRED = /Expired or Invalid pagination request/i;

/** What an Exchange error said: the triple PowerShell shows, and the body's own code. */
export interface ExchangeErrorParts {
  /** `ExNNNNNN`, or undefined (gateway errors have none). */
  errorId: string | undefined;
  /** The .NET exception class, e.g. `Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException`. */
  exceptionClass: string | undefined;
  /** The human text. */
  text: string;
  /** `error.code` of the body, e.g. `NotFound`, `BadRequest`. */
  serviceCode: string | undefined;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const obj = (v: unknown): Json | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
/** Texts that say nothing (the gateway's and the direct-invoke wrapper's). */
const generic = /^(Error executing cmdlet|Invalid Operation)\.?$/i;

/**
 * Reads an InvokeCommand error body in any of its three forms: `details[0].message` as
 * `<ErrorId>|<Class>|<text>` (ErrorId may be empty), or as a JSON string with `Message` and
 * `TypeName`; else `innererror.internalexception`; else `error.message`. Undefined when the body has
 * no `error` object (a 403's NUL bytes, an empty 401).
 */
export function parseExchangeErrorBody(body: unknown): ExchangeErrorParts | undefined {
  const error = obj(obj(body)?.["error"]);
  if (!error) return undefined;
  const serviceCode = str(error["code"]);
  const detail = str(obj(Array.isArray(error["details"]) ? error["details"][0] : undefined)?.["message"]);
  if (detail) {
    const bars = /^([^|]*)\|([^|]+)\|([\s\S]*)$/.exec(detail);
    if (bars) return { errorId: str(bars[1]!.trim()), exceptionClass: bars[2]!.trim(), text: bars[3]!.trim(), serviceCode };
    if (detail.trimStart().startsWith("{")) {
      try {
        const inner = obj(JSON.parse(detail));
        const text = str(inner?.["Message"]);
        if (text) return { errorId: undefined, exceptionClass: str(inner?.["TypeName"]), text, serviceCode };
      } catch {
        // not JSON after all: the text below
      }
    }
  }
  const internal = obj(obj(error["innererror"])?.["internalexception"] ?? obj(error["innererror"])?.["internalException"]);
  const internalText = str(internal?.["message"]);
  if (internalText && !generic.test(internalText)) return { errorId: undefined, exceptionClass: str(internal?.["type"]), text: internalText, serviceCode };
  if (detail) return { errorId: undefined, exceptionClass: undefined, text: detail, serviceCode };
  return { errorId: undefined, exceptionClass: undefined, text: str(error["message"]) ?? "The service gave no reason.", serviceCode };
}

/** The short name of a .NET class: `ManagementObjectNotFoundException` of `Microsoft.Exchange.…ManagementObjectNotFoundException`. */
export function shortClassName(exceptionClass: string | undefined): string | undefined {
  return exceptionClass?.slice(exceptionClass.lastIndexOf(".") + 1);
}

/** True when a server exception class means the cmdlet did not run and may be sent again. */
export function isRetryableExchangeException(error: unknown): boolean {
  return error instanceof ExchangeCommandError && (RETRYABLE_EXCHANGE_EXCEPTIONS as readonly string[]).includes(shortClassName(error.exceptionClass) ?? "");
}

/** The code of a refusal: by exception class, by the paging text, or by HTTP status. */
export function exchangeErrorCode(parts: Pick<ExchangeErrorParts, "exceptionClass" | "text">, status: number | undefined): CustomerKeyErrorCode {
  const byClass = codeByClass[shortClassName(parts.exceptionClass) ?? ""];
  if (byClass) return byClass;
  if (PAGING_EXPIRED.test(parts.text)) return "ERR_EXCHANGE_PAGING_EXPIRED";
  if (status === 429) return "ERR_SERVICE_THROTTLED";
  if (status === 503) return "ERR_SERVICE_UNAVAILABLE";
  if (status === 401 || status === 403) return "ERR_EXCHANGE_FORBIDDEN";
  return "ERR_EXCHANGE_COMMAND_FAILED";
}

/** The directory role a cmdlet needs (research m365-endpoints §4.1; docs of the M365DataAtRest cmdlets). */
export function roleNeededFor(cmdlet: string): string {
  return cmdlet.includes("M365DataAtRestEncryptionPolicy")
    ? "the Compliance Administrator (or Exchange Administrator) directory role"
    : "the Exchange Administrator directory role";
}

/**
 * A cmdlet Exchange Online refused, or a refusal of the gateway in front of it. `code` says what
 * kind (`ERR_EXCHANGE_OBJECT_NOT_FOUND`, `ERR_EXCHANGE_OBJECT_EXISTS`, `ERR_EXCHANGE_ARGUMENT_REFUSED`,
 * `ERR_EXCHANGE_OPERATION_REFUSED`, `ERR_EXCHANGE_SERVER_BUSY`, `ERR_EXCHANGE_PAGING_EXPIRED`,
 * `ERR_EXCHANGE_FORBIDDEN`, `ERR_SERVICE_THROTTLED`, `ERR_SERVICE_UNAVAILABLE`, else
 * `ERR_EXCHANGE_COMMAND_FAILED`); `errorId` and `exceptionClass` are what PowerShell would show.
 */
export class ExchangeCommandError extends ServiceRequestError {
  /** The cmdlet that failed, e.g. `New-DataEncryptionPolicy`. */
  readonly cmdlet: ExchangeCmdlet;
  /** The service's error id, e.g. `Ex6F9304`; undefined when the service gave none (gateway errors). */
  readonly errorId: string | undefined;
  /** The .NET exception class, e.g. `Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException`; undefined when the service named none. */
  readonly exceptionClass: string | undefined;

  /** Makes the error from what the failed reply said. */
  constructor(
    code: CustomerKeyErrorCode,
    message: string,
    details: {
      cmdlet: ExchangeCmdlet;
      operation: string;
      errorId?: string | undefined;
      exceptionClass?: string | undefined;
      statusCode?: number | undefined;
      serviceCode?: string | undefined;
      requestId?: string | undefined;
    },
    options?: CustomerKeyErrorOptions,
  ) {
    super(code, message, {
      operation: details.operation,
      ...(details.statusCode !== undefined ? { statusCode: details.statusCode } : {}),
      ...(details.serviceCode !== undefined ? { serviceCode: details.serviceCode } : {}),
      ...(details.requestId !== undefined ? { requestId: details.requestId } : {}),
    }, options);
    this.cmdlet = details.cmdlet;
    this.errorId = details.errorId;
    this.exceptionClass = details.exceptionClass;
  }
}
