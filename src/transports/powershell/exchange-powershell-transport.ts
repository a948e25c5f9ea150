/**
 * ExchangePowerShellTransport: runs the Customer Key cmdlets through the ExchangeOnlineManagement
 * module in one long-lived `pwsh` process (customer-key-host.ps1 in `exchange` mode).
 */
import type { TokenCredential } from "@azure/core-auth";
import { InvalidInputError } from "../../errors.js";
import { runOperation, type OperationOptions } from "../../internal/operation.js";
import { withRetry } from "../../internal/retry.js";
import {
  EXCHANGE_CMDLETS,
  type ExchangeBatchItemResult,
  type ExchangeCmdlet,
  type ExchangeCommand,
  type ExchangeCommandResult,
  type ExchangeInvokeOptions,
  type ExchangeParameterValue,
  type ExchangeTransport,
} from "../exchange-transport.js";
import { hostArguments } from "./host-script.js";
import { checkParameters } from "./host-protocol.js";
import { PowerShellHost, type HostConnect } from "./host-process.js";
import { PowerShellCommandError, PowerShellHostError } from "./powershell-errors.js";
import { requireText, resolveProcessOptions, type PowerShellProcessOptions, type ResolvedProcessOptions } from "./powershell-options.js";

/** What every way of connecting to Exchange Online takes. */
export interface ExchangeConnectBase {
  /** `-ExchangeEnvironmentName`, e.g. `O365USGovGCCHigh`; default the module's (`O365Default`). */
  exchangeEnvironmentName?: string;
}

/** App-only with a certificate in the machine's store or a file: `Connect-ExchangeOnline -AppId -Organization -CertificateThumbprint|-CertificateFilePath`. */
export interface ExchangeCertificateConnect extends ExchangeConnectBase {
  /** The tenant's initial domain, e.g. `contoso.onmicrosoft.com`. */
  organization: string;
  /** The app registration's application (client) id. */
  appId: string;
  /** The certificate's thumbprint (Windows certificate store); give this or `certificateFilePath`. */
  certificateThumbprint?: string;
  /** A .pfx file without a password; give this or `certificateThumbprint`. */
  certificateFilePath?: string;
}

/**
 * With an access token: `Connect-ExchangeOnline -AccessToken -Organization`. The token is asked
 * from `credential` at each (re)connect and travels to the process on stdin as data, never in its
 * arguments or environment; it is redacted from every error and diagnostic. The process connects
 * again 5 minutes before the token expires.
 */
export interface ExchangeTokenConnect extends ExchangeConnectBase {
  /** The tenant's initial domain, e.g. `contoso.onmicrosoft.com`. */
  organization: string;
  /** Gives the token. */
  credential: TokenCredential;
  /** The token's scope; default `https://outlook.office365.com/.default`. */
  scope?: string;
}

/** With the Azure managed identity of the machine: `Connect-ExchangeOnline -ManagedIdentity -Organization`. */
export interface ExchangeManagedIdentityConnect extends ExchangeConnectBase {
  /** The tenant's initial domain, e.g. `contoso.onmicrosoft.com`. */
  organization: string;
  /** Always `true`. */
  managedIdentity: true;
  /** A user-assigned identity's client id (`-ManagedIdentityAccountId`); default the system-assigned identity. */
  managedIdentityAccountId?: string;
}

/** Delegated, signing in interactively in a browser: `Connect-ExchangeOnline -UserPrincipalName`. Needs a desktop session. */
export interface ExchangeInteractiveConnect extends ExchangeConnectBase {
  /** The administrator's user principal name, e.g. `admin@contoso.onmicrosoft.com`. */
  userPrincipalName: string;
}

/** How the host connects to Exchange Online (the `Connect-ExchangeOnline` parameter set). */
export type ExchangePowerShellConnect = ExchangeCertificateConnect | ExchangeTokenConnect | ExchangeManagedIdentityConnect | ExchangeInteractiveConnect;

/** Options of `ExchangePowerShellTransport`. */
export interface ExchangePowerShellTransportOptions extends PowerShellProcessOptions {
  /** How to connect; sent once per process start (and again before a token expires). */
  connect: ExchangePowerShellConnect;
}

/** The default token scope of Exchange Online. */
const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";
/** Cmdlets with `-ResultSize` (default 1000 in the module), sent `Unlimited` unless the caller limits it. */
const RESULT_SIZE_CMDLETS = new Set<ExchangeCmdlet>(["Get-Mailbox", "Get-MailUser"]);

/**
 * Runs Exchange Online cmdlets in one long-lived `pwsh` process through the ExchangeOnlineManagement
 * module (PowerShell 7.5+, the module installed). Parameters travel as JSON data on stdin and are
 * splatted, so no value is ever placed in script text. One call at a time (the process is
 * sequential; calls queue). A crash fails the call in flight and the next call restarts the
 * process; a timeout or an abort kills it (a running cmdlet cannot be interrupted safely) and the
 * next call restarts it. Read-only cmdlets (everything but `New-*`) are retried on transient
 * failures. Call `close()` when done.
 *
 * Not yet run against a real `pwsh`: tested against a stand-in speaking the same protocol.
 */
export class ExchangePowerShellTransport implements ExchangeTransport {
  readonly #options: ResolvedProcessOptions;
  readonly #connect: ExchangePowerShellConnect;
  readonly #host: PowerShellHost;
  #secrets: string[] = [];

  /** Checks the options; the process starts at the first call. */
  constructor(options: ExchangePowerShellTransportOptions) {
    this.#options = resolveProcessOptions(options ?? ({} as ExchangePowerShellTransportOptions));
    this.#connect = checkConnect(options?.connect);
    const connect: HostConnect = async (send) => {
      const { parameters, validUntil } = await this.#connectParameters();
      const response = await send("Connect-ExchangeOnline", parameters);
      if (!response.ok) throw new PowerShellCommandError("exchangePowerShell.connect", "Connect-ExchangeOnline", response.error ?? missingError(), response.warnings, this.#secrets);
      return validUntil === undefined ? {} : { validUntil };
    };
    this.#host = new PowerShellHost({
      pwshPath: this.#options.pwshPath,
      args: hostArguments("exchange"),
      startTimeoutMs: this.#options.startTimeoutMs,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      maxRestarts: this.#options.maxRestarts,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      connect,
      secrets: () => this.#secrets,
      logger: this.#options.logger,
      label: "Exchange PowerShell host",
    });
  }

  /** The process id of the running `pwsh`, or undefined before the first call and after a crash or `close()`. */
  get processId(): number | undefined {
    return this.#host.pid;
  }

  /**
   * Runs one cmdlet and returns its output objects and warnings. Refuses a cmdlet outside
   * `EXCHANGE_CMDLETS` and malformed parameters before sending (`InvalidInputError`); a cmdlet the
   * service refused becomes a `PowerShellCommandError` (keeps `errorId` and `exceptionClass`); the
   * process failing becomes a `PowerShellHostError`. `Confirm` is sent `false` to `New-*`/`Set-*` (a `Confirm` other than `false` is refused).
   */
  invoke(command: ExchangeCommand, options: ExchangeInvokeOptions = {}): Promise<ExchangeCommandResult> {
    return runOperation({ logger: this.#options.logger }, "exchangePowerShell.invoke", options, async (updated) => {
      const { cmdlet, parameters } = prepare(command, options.resultSize);
      const operation = `exchangePowerShell.invoke ${cmdlet}`;
      const response = await withRetry(
        operation,
        async () => {
          const answer = await this.#host.invoke(cmdlet, parameters, { timeoutMs: this.#options.timeoutMs, abortSignal: updated.abortSignal, operation });
          if (!answer.ok) throw new PowerShellCommandError(operation, cmdlet, answer.error ?? missingError(), answer.warnings, this.#secrets);
          return answer;
        },
        {
          ...(updated.abortSignal ? { abortSignal: updated.abortSignal } : {}),
          ...(this.#options.retry ? { retry: this.#options.retry } : {}),
          logger: this.#options.logger,
          retryIf: (error) => !cmdlet.startsWith("New-") && isRetryable(error),
        },
      );
      let value = response.value.map((item) => (typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : { Value: item }));
      if (options.resultSize !== undefined) value = value.slice(0, options.resultSize);
      return { value, warnings: response.warnings };
    });
  }

  /** Runs the commands one after another in the same process; each succeeds or fails on its own, results in order. */
  async invokeBatch(commands: readonly ExchangeCommand[], options: OperationOptions = {}): Promise<ExchangeBatchItemResult[]> {
    const results: ExchangeBatchItemResult[] = [];
    for (const command of commands) {
      try {
        results.push({ ok: true, command, result: await this.invoke(command, options) });
      } catch (error) {
        if (options.abortSignal?.aborted) throw error;
        results.push({ ok: false, command, error: error as Error });
      }
    }
    return results;
  }

  /** Ends the process (it disconnects first; killed after `closeTimeoutInMs`). Later calls fail with `ERR_POWERSHELL_CLOSED`. Safe to call twice. */
  close(): Promise<void> {
    return this.#host.close();
  }

  async #connectParameters(): Promise<{ parameters: Record<string, ExchangeParameterValue>; validUntil?: number }> {
    const c = this.#connect;
    const common: Record<string, ExchangeParameterValue> = { ShowBanner: false };
    if (c.exchangeEnvironmentName) common.ExchangeEnvironmentName = c.exchangeEnvironmentName;
    if ("credential" in c) {
      const token = await c.credential.getToken(c.scope ?? EXCHANGE_SCOPE);
      if (!token?.token) throw new PowerShellHostError("ERR_POWERSHELL_START_FAILED", "The credential of connect gave no access token for Exchange Online.");
      // Kept only to redact it from errors and diagnostics.
      this.#secrets = [token.token];
      return { parameters: { ...common, Organization: c.organization, AccessToken: token.token }, validUntil: token.expiresOnTimestamp };
    }
    if ("managedIdentity" in c) {
      return { parameters: { ...common, Organization: c.organization, ManagedIdentity: true, ...(c.managedIdentityAccountId ? { ManagedIdentityAccountId: c.managedIdentityAccountId } : {}) } };
    }
    if ("appId" in c) {
      const certificate: Record<string, ExchangeParameterValue> = c.certificateThumbprint ? { CertificateThumbprint: c.certificateThumbprint } : { CertificateFilePath: c.certificateFilePath! };
      return { parameters: { ...common, Organization: c.organization, AppId: c.appId, ...certificate } };
    }
    return { parameters: { ...common, UserPrincipalName: c.userPrincipalName } };
  }
}

function checkConnect(connect: ExchangePowerShellConnect | undefined): ExchangePowerShellConnect {
  if (!connect || typeof connect !== "object") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "connect is required: { organization, appId, certificateThumbprint }, { organization, credential }, { organization, managedIdentity: true } or { userPrincipalName }.", { field: "connect" });
  }
  if ("credential" in connect) {
    requireText(connect.organization, "connect.organization");
    if (typeof connect.credential?.getToken !== "function") throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "connect.credential must be a TokenCredential.", { field: "connect.credential" });
  } else if ("managedIdentity" in connect) {
    requireText(connect.organization, "connect.organization");
  } else if ("appId" in connect) {
    requireText(connect.organization, "connect.organization");
    requireText(connect.appId, "connect.appId");
    if (!connect.certificateThumbprint === !connect.certificateFilePath) {
      throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "Give exactly one of connect.certificateThumbprint and connect.certificateFilePath.", { field: "connect.certificateThumbprint" });
    }
  } else if ("userPrincipalName" in connect) {
    requireText(connect.userPrincipalName, "connect.userPrincipalName");
  } else {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "connect must hold appId and a certificate, a credential, managedIdentity or a userPrincipalName.", { field: "connect" });
  }
  return connect;
}

/** Checks a command and builds the parameters sent: Confirm false on New-/Set-, ResultSize where the cmdlet has it. */
function prepare(command: ExchangeCommand, resultSize: number | undefined): { cmdlet: ExchangeCmdlet; parameters: Record<string, ExchangeParameterValue> } {
  const cmdlet = command?.cmdlet;
  if (typeof cmdlet !== "string" || !(EXCHANGE_CMDLETS as readonly string[]).includes(cmdlet)) {
    throw new InvalidInputError("ERR_EXCHANGE_CMDLET_UNSUPPORTED", `'${String(cmdlet).slice(0, 60)}' is not one of the cmdlets this transport runs (EXCHANGE_CMDLETS); nothing was sent.`, { field: "command.cmdlet" });
  }
  if (resultSize !== undefined && (!Number.isInteger(resultSize) || resultSize < 1)) {
    throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", `resultSize must be a positive whole number, got ${String(resultSize)}.`, { field: "resultSize" });
  }
  const parameters = checkParameters(command.parameters);
  const has = (name: string) => Object.keys(parameters).find((key) => key.toLowerCase() === name.toLowerCase());
  if (cmdlet.startsWith("New-") || cmdlet.startsWith("Set-")) {
    const given = has("Confirm");
    if (given && parameters[given] !== false) {
      throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "Confirm is always sent as false: the host cannot answer a confirmation prompt. Leave it out.", { field: `parameters.${given}` });
    }
    if (given) delete parameters[given];
    parameters.Confirm = false;
  }
  if (RESULT_SIZE_CMDLETS.has(cmdlet) && !has("ResultSize")) parameters.ResultSize = resultSize ?? "Unlimited";
  return { cmdlet, parameters };
}

/** A transient service failure, or the process dying under a call (safe to repeat for read-only cmdlets). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof PowerShellCommandError) return error.transient;
  return error instanceof PowerShellHostError && error.code === "ERR_POWERSHELL_CRASHED";
}

/** For a response that says failed without an ErrorRecord (never from the shipped host). */
export function missingError(): { errorId: string; exceptionClass: string; category: string; message: string } {
  return { errorId: "", exceptionClass: "Exception", category: "NotSpecified", message: "The host reported a failure without an error record." };
}
