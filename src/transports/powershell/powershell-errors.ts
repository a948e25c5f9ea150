/**
 * The typed errors of the PowerShell transports: the host process failing (PowerShellHostError)
 * and a cmdlet that ran and failed (PowerShellCommandError, from the ErrorRecord the host sent).
 */
import { CustomerKeyError, ServiceRequestError, type CustomerKeyErrorCode, type CustomerKeyErrorOptions } from "../../errors.js";

/** The codes of PowerShellHostError. */
export type PowerShellHostErrorCode =
  | "ERR_POWERSHELL_START_FAILED"
  | "ERR_POWERSHELL_CRASHED"
  | "ERR_POWERSHELL_TIMEOUT"
  | "ERR_POWERSHELL_PROTOCOL"
  | "ERR_POWERSHELL_RESTART_LIMIT"
  | "ERR_POWERSHELL_CLOSED";

/**
 * The `pwsh` host process could not start, exited during a call, timed out, answered outside the
 * protocol, crashed too often, or the transport was closed. The call's cmdlet may or may not have
 * run (a timeout or a crash can happen after the service acted): read before writing again.
 */
export class PowerShellHostError extends CustomerKeyError {
  /** The error's code, e.g. `ERR_POWERSHELL_CRASHED`. */
  declare readonly code: PowerShellHostErrorCode;
  /** The process's exit code when it exited, else undefined. */
  readonly exitCode: number | undefined;
  /** The signal that ended the process (e.g. `SIGKILL` after a timeout), else undefined. */
  readonly signal: string | undefined;
  /**
   * The last lines the process wrote to stderr (at most 4 KiB), with the transport's secrets
   * (access tokens) replaced by `[redacted]`. For diagnosis; never part of `message`.
   */
  readonly diagnostics: string;

  /** Makes the error. */
  constructor(
    code: PowerShellHostErrorCode,
    message: string,
    details: { exitCode?: number | null; signal?: string | null; diagnostics?: string } = {},
    options?: CustomerKeyErrorOptions,
  ) {
    super(code, message, options);
    this.exitCode = details.exitCode ?? undefined;
    this.signal = details.signal ?? undefined;
    this.diagnostics = details.diagnostics ?? "";
  }
}

/** What the host reports of a failed cmdlet: its ErrorRecord, flattened. */
export interface PowerShellErrorRecord {
  /** `FullyQualifiedErrorId`, e.g. `[Server=…] [FailureCategory=Cmdlet-ManagementObjectNotFoundException] 3A5C1A0,Microsoft.Exchange.…GetMailbox`. */
  errorId: string;
  /** The exception's .NET type name, e.g. `System.Management.Automation.RemoteException`. */
  exceptionClass: string;
  /** `CategoryInfo.Reason`: the short exception name, e.g. `ManagementObjectNotFoundException`. */
  reason?: string;
  /** `CategoryInfo.Category`, a PowerShell `ErrorCategory` name, e.g. `ObjectNotFound`. */
  category: string;
  /** The exception's message. */
  message: string;
}

/**
 * A cmdlet ran in the host and failed. Keeps what PowerShell said (`errorId`, `exceptionClass`,
 * `category`); `code` is the ERR_SERVICE_* code its exception class or category maps to
 * (`ManagementObjectNotFoundException` → `ERR_SERVICE_NOT_FOUND`, and so on) and `serviceCode`
 * the short exception name.
 */
export class PowerShellCommandError extends ServiceRequestError {
  /** The cmdlet that failed, e.g. `Get-Mailbox`. */
  readonly cmdlet: string;
  /** The ErrorRecord's `FullyQualifiedErrorId`. */
  readonly errorId: string;
  /** The exception class: the most specific name found in the record, e.g. `ManagementObjectNotFoundException`. */
  readonly exceptionClass: string;
  /** The PowerShell `ErrorCategory` name, e.g. `ObjectNotFound`. */
  readonly category: string;
  /** The warnings the cmdlet wrote before failing; `[]` when none. */
  readonly warnings: string[];
  /** True for a failure worth another attempt (a throttled or overloaded service). */
  readonly transient: boolean;

  /**
   * Makes the error from the host's report.
   * @param operation - The operation that ran the cmdlet, e.g. `exchangePowerShell.invoke Get-Mailbox`.
   * @param cmdlet - The cmdlet that failed.
   * @param record - The ErrorRecord as the host flattened it.
   * @param warnings - The warnings the cmdlet wrote before failing; default none.
   * @param secrets - Strings to replace by `[redacted]` in the message, the error id and the warnings (e.g. the access token of a connect); default none.
   */
  constructor(operation: string, cmdlet: string, record: PowerShellErrorRecord, warnings: string[] = [], secrets: readonly string[] = []) {
    const exceptionClass = exceptionClassOf(record);
    const { code, transient } = classify(record, exceptionClass);
    const text = redact(record.message.split("\n")[0] ?? "", secrets);
    super(code, `${cmdlet} failed (${exceptionClass}): ${text}`, { operation, serviceCode: exceptionClass });
    this.cmdlet = cmdlet;
    this.errorId = redact(record.errorId, secrets);
    this.exceptionClass = exceptionClass;
    this.category = record.category;
    this.warnings = warnings.map((warning) => redact(warning, secrets));
    this.transient = transient;
  }
}

/** Exchange server exceptions the ExchangeOnlineManagement module itself retries (research §1.9), and throttling. */
const TRANSIENT_CLASSES = [
  "DCOverloadedException",
  "SuitabilityDirectoryException",
  "ServerInMMException",
  "ADServerSettingsChangedException",
  "StorageTransientException",
  "ThrottlingException",
  "ServerBusyException",
];

const CODE_BY_CLASS: [string, CustomerKeyErrorCode][] = [
  ["ManagementObjectNotFoundException", "ERR_SERVICE_NOT_FOUND"],
  ["ObjectNotFoundException", "ERR_SERVICE_NOT_FOUND"],
  ["ManagementObjectAlreadyExistsException", "ERR_SERVICE_CONFLICT"],
  ["ManagementObjectAmbiguousException", "ERR_SERVICE_CONFLICT"],
  ["ParameterBindingException", "ERR_SERVICE_BAD_REQUEST"],
  ["DataValidationException", "ERR_SERVICE_BAD_REQUEST"],
  ["RecipientTaskException", "ERR_SERVICE_BAD_REQUEST"],
  ["UnauthorizedAccessException", "ERR_SERVICE_FORBIDDEN"],
  ["AuthenticationException", "ERR_SERVICE_UNAUTHENTICATED"],
];

const CODE_BY_CATEGORY: Record<string, CustomerKeyErrorCode> = {
  ObjectNotFound: "ERR_SERVICE_NOT_FOUND",
  ResourceExists: "ERR_SERVICE_CONFLICT",
  InvalidArgument: "ERR_SERVICE_BAD_REQUEST",
  InvalidData: "ERR_SERVICE_BAD_REQUEST",
  InvalidType: "ERR_SERVICE_BAD_REQUEST",
  PermissionDenied: "ERR_SERVICE_FORBIDDEN",
  SecurityError: "ERR_SERVICE_FORBIDDEN",
  AuthenticationError: "ERR_SERVICE_UNAUTHENTICATED",
  LimitsExceeded: "ERR_SERVICE_THROTTLED",
  ResourceBusy: "ERR_SERVICE_UNAVAILABLE",
  ResourceUnavailable: "ERR_SERVICE_UNAVAILABLE",
  ConnectionError: "ERR_SERVICE_UNREACHABLE",
  OperationTimeout: "ERR_SERVICE_UNAVAILABLE",
};

const GENERIC = /^(System\.(Exception|Management\.Automation\.(RemoteException|RuntimeException|CmdletInvocationException|ActionPreferenceStopException))|Exception|RemoteException|RuntimeException)$/;

/** The most specific exception name: `CategoryInfo.Reason`, else the one named in the error id, else the .NET type. */
function exceptionClassOf(record: PowerShellErrorRecord): string {
  const short = (name: string) => name.slice(name.lastIndexOf(".") + 1);
  if (record.reason && !GENERIC.test(record.reason)) return short(record.reason);
  // The EXO module's ids carry "[FailureCategory=Cmdlet-<Class>]"; the REST error's "<Id>|<Class>|<text>" form too.
  const named = /FailureCategory=[A-Za-z]+-([A-Za-z]+Exception)/.exec(record.errorId) ?? /\|([A-Za-z.]+Exception)\|/.exec(`${record.errorId}|${record.message}`);
  if (named?.[1]) return short(named[1]);
  return short(record.exceptionClass || "Exception");
}

function classify(record: PowerShellErrorRecord, exceptionClass: string): { code: CustomerKeyErrorCode; transient: boolean } {
  if (TRANSIENT_CLASSES.includes(exceptionClass) || TRANSIENT_CLASSES.some((c) => record.message.includes(c))) {
    return { code: exceptionClass === "ThrottlingException" ? "ERR_SERVICE_THROTTLED" : "ERR_SERVICE_UNAVAILABLE", transient: true };
  }
  const byClass = CODE_BY_CLASS.find(([name]) => name === exceptionClass)?.[1];
  const code = byClass ?? CODE_BY_CATEGORY[record.category] ?? "ERR_SERVICE_REQUEST";
  return { code, transient: code === "ERR_SERVICE_THROTTLED" || code === "ERR_SERVICE_UNAVAILABLE" };
}

/** Replaces every secret (e.g. the access token of a connect) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  return out;
}
