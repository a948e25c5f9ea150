/**
 * ExchangeRestTransport: Exchange Online cmdlets over the `adminapi/beta/{tenant}/InvokeCommand`
 * gateway that ExchangeOnlineManagement V3 itself uses (research m365-endpoints §1). Requests go
 * through `@azure/core-rest-pipeline` (the user's agent and TLS, bearer tokens from the
 * TokenCredential), retries through withRetry, every call through runOperation.
 */
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import type { OperationTracingOptions } from "@azure/core-tracing";
import { InvalidInputError } from "../errors.js";
import { sleep, throwIfAborted } from "../internal/abort.js";
import { logger as packageLogger, type CustomerKeyLogger } from "../internal/logger.js";
import { runOperation, type OperationOptions } from "../internal/operation.js";
import { defaultRetrySettings, withRetry, type RetrySettings } from "../internal/retry.js";
import { retryAfterMs, toServiceError } from "../internal/service-errors.js";
import { isGuid } from "../rules/ids.js";
import { checkExchangeCommand, RESULT_SIZE_CMDLETS } from "./exchange-command-checks.js";
import {
  ExchangeCommandError,
  exchangeErrorCode,
  isRetryableExchangeException,
  parseExchangeErrorBody,
  roleNeededFor,
  shortClassName,
} from "./exchange-command-error.js";
import {
  EXCHANGE_CMDLETS,
  type ExchangeBatchItemResult,
  type ExchangeCmdlet,
  type ExchangeCommand,
  type ExchangeCommandResult,
  type ExchangeInvokeOptions,
  type ExchangeParameterValue,
  type ExchangeTransport,
} from "./exchange-transport.js";
import { didNotRun, httpsOrigin, jsonOf, JsonPoster, replyCause, type HttpReply, type TransportPipelineOptions } from "./rest-pipeline.js";

/** The commercial cloud's Exchange Online endpoint. */
export const EXCHANGE_ONLINE_ENDPOINT = "https://outlook.office365.com";
/** The token scope of Exchange Online's admin API (commercial cloud). */
export const EXCHANGE_ONLINE_SCOPE = "https://outlook.office365.com/.default";
/** The largest page the gateway serves, and the module's default. */
export const EXCHANGE_MAX_PAGE_SIZE = 1000;
/** The most commands one `$batch` request carries, as the module flushes its batches. */
export const EXCHANGE_MAX_BATCH = 10;
/** The module's routing hint for app-only calls (research §1.4): the organization's system mailbox. */
const SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/** Options of {@link ExchangeRestTransport}; the pipeline options (agent, proxy, user agent…) go to every request. */
export interface ExchangeRestTransportOptions extends TransportPipelineOptions {
  /** Gets the tokens (scope `scope`); an app needs `Exchange.ManageAsApp` and a directory role, a user the role. */
  credential: TokenCredential;
  /** The Entra tenant id (a GUID) or its initial domain (`contoso.onmicrosoft.com`): the URL's tenant segment. */
  tenantId: string;
  /** The Exchange Online endpoint; default `https://outlook.office365.com` (GCC High `https://outlook.office365.us`). */
  endpoint?: string;
  /** The token scope; default `https://outlook.office365.com/.default` (GCC High `https://outlook.office365.us/.default`). */
  scope?: string;
  /** `X-AnchorMailbox`; default the app-only form `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@{tenantId}`; a user may give `UPN:admin@contoso.com`. */
  anchorMailbox?: string;
  /** Rows per page (`Prefer: odata.maxpagesize`), 1 to 1000; default 1000. */
  pageSize?: number;
  /** How transient failures are retried; defaults in `RetrySettings`. */
  retry?: RetrySettings;
  /** Receives one line per call and retry (cmdlet names only, never values); defaults to the `customer-key` Azure logger. */
  logger?: CustomerKeyLogger;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/**
 * Changes that ask for the same end state however often they are sent, by their exact parameter
 * set: a policy's `-Refresh` alone (rewrap with its keys' current versions) and the tenant's one
 * multi-workload assignment (sent again it changes nothing, a warning says so).
 */
const REPEATABLE_CHANGES: Readonly<Record<string, string>> = {
  "Set-DataEncryptionPolicy": "Identity,Refresh",
  "Set-M365DataAtRestEncryptionPolicy": "Identity,Refresh",
  "Set-M365DataAtRestEncryptionPolicyAssignment": "DataEncryptionPolicy",
};

/** Whether a command may be sent again after any transient failure: reads, and REPEATABLE_CHANGES. */
function isIdempotent(command: ExchangeCommand): boolean {
  if (command.cmdlet.startsWith("Get-") || command.cmdlet.startsWith("Test-")) return true;
  const parameters = command.parameters ?? {};
  if ("Refresh" in parameters && parameters["Refresh"] !== true) return false;
  return REPEATABLE_CHANGES[command.cmdlet] === Object.keys(parameters).sort().join(",");
}

/** Failures of a continuation (a page after the first), which #collect answers by fetching again. */
const continuationFailures = new WeakSet<ExchangeCommandError>();

/**
 * Whether a failed call may be sent again (withRetry then decides by status and back-off). A
 * cmdlet that ran and threw (its exception class is known) is not sent again, whatever the status
 * (a not-found can come with 500), unless the class is one of the module's retryable ones. Reads
 * (`Get-*`, `Test-*`) and REPEATABLE_CHANGES go again on any transient failure; a `New-*`/`Set-*` only when the failure
 * shows it did not run (didNotRun), because one that had run would fail the second time ("already
 * exists") or repeat a change nobody asked for twice.
 */
function maySendAgain(error: unknown, idempotent: boolean): boolean {
  if (isRetryableExchangeException(error)) return true;
  if (error instanceof ExchangeCommandError && error.exceptionClass !== undefined && error.statusCode !== 429 && error.statusCode !== 503) return false;
  return idempotent || didNotRun(error);
}

/** One invocation in flight: what every page of it shares. */
interface Invocation {
  cmdlet: ExchangeCmdlet;
  /** Whether a failed send may go again whatever the failure (see isIdempotent). */
  idempotent: boolean;
  operation: string;
  requestId: string;
  abortSignal: AbortSignal | undefined;
  tracingOptions: OperationTracingOptions | undefined;
  /** The caller's per-page progress hook. */
  onPage?: ((rowsSoFar: number) => void) | undefined;
}

/**
 * Runs Exchange Online cmdlets through the InvokeCommand REST gateway, as ExchangeOnlineManagement
 * V3 does: `POST {endpoint}/adminapi/beta/{tenantId}/InvokeCommand` with
 * `{"CmdletInput":{"CmdletName","Parameters"}}`, `Confirm: false` always, all pages followed, the
 * cmdlet's warnings returned, refusals thrown as {@link ExchangeCommandError}. Transient faults
 * (429 with `Retry-After`, 503, 504, the module's retryable server exceptions) are retried; a
 * `New-*`/`Set-*` cmdlet only when the failure shows it did not run.
 */
export class ExchangeRestTransport implements ExchangeTransport {
  readonly #poster: JsonPoster;
  readonly #base: string;
  readonly #anchor: string;
  readonly #pageSize: number;
  readonly #retry: Required<RetrySettings>;
  readonly #logger: CustomerKeyLogger;
  readonly #connectionId = randomUUID();
  readonly #origin: URL;

  /** Makes the transport; throws InvalidInputError for options that cannot work (nothing is sent). */
  constructor(options: ExchangeRestTransportOptions) {
    const { credential, tenantId, endpoint, scope, anchorMailbox, pageSize, retry, logger, ...pipeline } = options ?? ({} as ExchangeRestTransportOptions);
    if (!credential || typeof (credential as { getToken?: unknown }).getToken !== "function") {
      throw new InvalidInputError("ERR_CREDENTIAL_INVALID", "credential must be a TokenCredential (e.g. new DefaultAzureCredential()).", { field: "credential" });
    }
    if (!(isGuid(tenantId) || (typeof tenantId === "string" && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenantId)))) {
      throw new InvalidInputError("ERR_TENANT_ID_INVALID", `tenantId '${String(tenantId).slice(0, 80)}' must be the Entra tenant id (a GUID) or the tenant's initial domain.`, { field: "tenantId" });
    }
    this.#origin = httpsOrigin(endpoint ?? EXCHANGE_ONLINE_ENDPOINT, "endpoint");
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= EXCHANGE_MAX_PAGE_SIZE)) {
      throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", `pageSize must be a whole number from 1 to ${EXCHANGE_MAX_PAGE_SIZE}, got ${String(pageSize)}.`, { field: "pageSize" });
    }
    if (anchorMailbox !== undefined && !(typeof anchorMailbox === "string" && /^[\x21-\x7e]{1,320}$/.test(anchorMailbox))) {
      throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "anchorMailbox must be a routing hint such as UPN:admin@contoso.com (printable ASCII, no spaces).", { field: "anchorMailbox" });
    }
    this.#base = `${this.#origin.origin}/adminapi/beta/${encodeURIComponent(tenantId)}`;
    this.#anchor = anchorMailbox ?? `APP:${SYSTEM_MAILBOX}@${tenantId}`;
    this.#pageSize = pageSize ?? EXCHANGE_MAX_PAGE_SIZE;
    this.#retry = { ...defaultRetrySettings, ...retry };
    this.#logger = logger ?? packageLogger;
    this.#poster = new JsonPoster(credential, scope ?? EXCHANGE_ONLINE_SCOPE, pipeline);
  }

  /**
   * Runs one cmdlet and returns all of its output (every page) and its warnings. Operation name
   * `exchange.invoke:<cmdlet>`. Throws InvalidInputError before sending for a cmdlet outside
   * EXCHANGE_CMDLETS or a malformed parameter, ExchangeCommandError when the service refused,
   * OperationAbortedError when `abortSignal` fired (also between pages).
   */
  invoke(command: ExchangeCommand, options: ExchangeInvokeOptions = {}): Promise<ExchangeCommandResult> {
    const known = (EXCHANGE_CMDLETS as readonly string[]).includes((command as { cmdlet?: string } | undefined)?.cmdlet ?? "");
    const operation = known ? `exchange.invoke:${command.cmdlet}` : "exchange.invoke";
    return runOperation({ logger: this.#logger }, operation, options, async (updated) => {
      const parameters = checkExchangeCommand(command, { resultSize: updated.resultSize });
      const invocation: Invocation = { cmdlet: command.cmdlet, idempotent: isIdempotent(command), operation, requestId: randomUUID(), abortSignal: updated.abortSignal, tracingOptions: updated.tracingOptions, onPage: options.onPage };
      return this.#collect(invocation, parameters, updated.resultSize);
    });
  }

  /**
   * Runs several cmdlets over `$batch`, up to 10 per request (more are sent in further requests),
   * and returns one outcome per command, in order: its result, or the typed error it failed with
   * (an InvalidInputError for a command refused before sending). Operation name `exchange.invokeBatch`.
   */
  invokeBatch(commands: readonly ExchangeCommand[], options: OperationOptions = {}): Promise<ExchangeBatchItemResult[]> {
    return runOperation({ logger: this.#logger }, "exchange.invokeBatch", options, async (updated) => {
      if (!Array.isArray(commands)) throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "invokeBatch takes an array of commands.", { field: "commands" });
      const results: ExchangeBatchItemResult[] = new Array(commands.length);
      const pending: { index: number; command: ExchangeCommand; parameters: Record<string, ExchangeParameterValue> }[] = [];
      commands.forEach((command, index) => {
        try {
          pending.push({ index, command, parameters: checkExchangeCommand(command) });
        } catch (error) {
          results[index] = { ok: false, command, error: error as Error };
        }
      });
      for (let i = 0; i < pending.length; i += EXCHANGE_MAX_BATCH) {
        throwIfAborted(updated.abortSignal, "exchange.invokeBatch");
        const chunk = pending.slice(i, i + EXCHANGE_MAX_BATCH);
        const outcomes = await this.#batch(chunk, updated);
        chunk.forEach((item, j) => (results[item.index] = outcomes[j]!));
      }
      return results;
    });
  }

  /** The body of one invocation: `Confirm: false` always; the cmdlets that cap their output get `ResultSize` (all unless asked). */
  #bodyOf(cmdlet: ExchangeCmdlet, parameters: Record<string, ExchangeParameterValue>, resultSize: number | undefined): Json {
    const given = Object.keys(parameters).some((n) => n.toLowerCase() === "resultsize");
    const withSize = RESULT_SIZE_CMDLETS.has(cmdlet) && !given ? { ResultSize: resultSize ?? "Unlimited" } : {};
    return { CmdletInput: { CmdletName: cmdlet, Parameters: { ...parameters, ...withSize, Confirm: false } } };
  }

  /** The module's header set (research §1.4), JSON rows instead of CLIXML. */
  #headers(cmdlet: string, requestId: string, pageSize: number): Record<string, string> {
    return {
      "accept-charset": "UTF-8",
      "X-CmdletName": cmdlet,
      "X-AnchorMailbox": this.#anchor,
      "X-ResponseFormat": "json",
      "X-ClientApplication": "ExoManagementModule",
      "client-request-id": requestId,
      "connection-id": this.#connectionId,
      Prefer: `odata.maxpagesize=${pageSize}`,
    };
  }

  /**
   * Every page of one invocation. A continuation the service refuses ("Expired or Invalid
   * pagination request": the skiptoken is bound to one back end and expires) is re-done once as a
   * single request for the whole result (`ResultSize`, largest pages), and the result says so.
   */
  async #collect(inv: Invocation, parameters: Record<string, ExchangeParameterValue>, resultSize: number | undefined, first?: Json): Promise<ExchangeCommandResult> {
    try {
      return await this.#pages(inv, this.#bodyOf(inv.cmdlet, parameters, resultSize), this.#pageSize, resultSize, first);
    } catch (error) {
      if (!(error instanceof ExchangeCommandError && error.code === "ERR_EXCHANGE_PAGING_EXPIRED" && continuationFailures.has(error))) throw error;
      const note =
        `customer-key: Exchange Online refused to continue ${inv.cmdlet} at a later page (Expired or Invalid pagination request); ` +
        `the whole result was fetched again in one request${RESULT_SIZE_CMDLETS.has(inv.cmdlet) ? ` with ResultSize ${resultSize ?? "Unlimited"}` : ""}.`;
      this.#logger.warning(`${inv.operation}: a continuation page was refused (pagination request expired); fetching the whole result again in one request`);
      const again = await this.#pages(inv, this.#bodyOf(inv.cmdlet, parameters, resultSize), EXCHANGE_MAX_PAGE_SIZE, resultSize);
      return { value: again.value, warnings: [...again.warnings, note] };
    }
  }

  /** Follows `@odata.nextLink` (POSTing the same body and headers) until the last page or `resultSize` rows. */
  async #pages(inv: Invocation, body: Json, pageSize: number, resultSize: number | undefined, first?: Json): Promise<ExchangeCommandResult> {
    const value: Record<string, unknown>[] = [];
    const warnings: string[] = [];
    const headers = this.#headers(inv.cmdlet, inv.requestId, pageSize);
    let url: string | undefined = `${this.#base}/InvokeCommand`;
    let page = first;
    for (let n = 0; ; n++) {
      if (!page) {
        throwIfAborted(inv.abortSignal, inv.operation);
        try {
          page = await this.#post(url!, body, headers, inv);
        } catch (error) {
          if (n > 0 && error instanceof ExchangeCommandError) continuationFailures.add(error);
          throw error;
        }
      }
      const rows = Array.isArray(page["value"]) ? (page["value"] as unknown[]) : [];
      for (const row of rows) if (isObject(row)) value.push(row);
      warnings.push(...warningsOf(page));
      inv.onPage?.(value.length);
      const next = page["@odata.nextLink"];
      if ((resultSize !== undefined && value.length >= resultSize) || typeof next !== "string" || next === "") break;
      url = this.#checkNextLink(next, inv);
      page = undefined;
    }
    return { value: resultSize !== undefined ? value.slice(0, resultSize) : value, warnings };
  }

  /** A nextLink on another host would receive our token: only the endpoint's host (or a regional host under it) is followed. */
  #checkNextLink(next: string, inv: Invocation): string {
    let url: URL | undefined;
    try {
      url = new URL(next, this.#origin);
    } catch {
      url = undefined;
    }
    const host = this.#origin.hostname;
    if (!url || url.protocol !== "https:" || url.port !== this.#origin.port || !(url.hostname === host || url.hostname.endsWith(`.${host}`))) {
      throw new ExchangeCommandError("ERR_EXCHANGE_COMMAND_FAILED", `${inv.cmdlet}: the service's next page link points outside ${this.#origin.origin}; it was not followed (the token is only sent to the endpoint).`, { cmdlet: inv.cmdlet, operation: inv.operation });
    }
    return url.href;
  }

  /** One POST with retries of the failures maySendAgain allows. */
  async #post(url: string, body: unknown, headers: Record<string, string>, inv: Invocation, errorOf = (reply: HttpReply) => exchangeErrorOf(reply, inv.cmdlet, inv.operation)): Promise<Json> {
    const outcome = await withRetry(
      inv.operation,
      async (): Promise<{ page: Json } | { failed: unknown }> => {
        let reply: HttpReply;
        try {
          reply = await this.#poster.post(url, body, headers, { abortSignal: inv.abortSignal, tracingOptions: inv.tracingOptions });
        } catch (error) {
          if (inv.abortSignal?.aborted || maySendAgain(error, inv.idempotent)) throw error;
          return { failed: error };
        }
        if (reply.status >= 200 && reply.status < 300) {
          const json = jsonOf(reply.text);
          if (isObject(json)) return { page: json };
          return { failed: new ExchangeCommandError("ERR_EXCHANGE_COMMAND_FAILED", `${inv.cmdlet}: the service answered ${reply.status} without a JSON body.`, { cmdlet: inv.cmdlet, operation: inv.operation, statusCode: reply.status }) };
        }
        const error = errorOf(reply);
        if (maySendAgain(error, inv.idempotent)) throw error;
        return { failed: error };
      },
      { abortSignal: inv.abortSignal, retry: this.#retry, logger: this.#logger, retryIf: isRetryableExchangeException },
    );
    if ("failed" in outcome) throw toServiceError(outcome.failed, inv.operation);
    return outcome.page;
  }

  /** One `$batch` request of up to 10 commands (research §1.10), each item's pages followed, each item's outcome its own. */
  async #batch(items: { command: ExchangeCommand; parameters: Record<string, ExchangeParameterValue> }[], options: OperationOptions): Promise<ExchangeBatchItemResult[]> {
    const operation = "exchange.invokeBatch";
    const invocations: Invocation[] = items.map(({ command }) => ({ cmdlet: command.cmdlet, idempotent: isIdempotent(command), operation: `${operation}:${command.cmdlet}`, requestId: randomUUID(), abortSignal: options.abortSignal, tracingOptions: options.tracingOptions }));
    const bodies = items.map(({ command, parameters }) => this.#bodyOf(command.cmdlet, parameters, undefined));
    const requests = items.map(({ command }, i) => ({
      id: String(i + 1),
      method: "POST",
      url: `${this.#base}/InvokeCommand`,
      headers: { "Content-Type": "application/json", ...this.#headers(command.cmdlet, invocations[i]!.requestId, this.#pageSize) },
      body: bodies[i],
    }));
    const outer: Invocation = { cmdlet: items[0]!.command.cmdlet, idempotent: items.every(({ command }) => isIdempotent(command)), operation, requestId: randomUUID(), abortSignal: options.abortSignal, tracingOptions: options.tracingOptions };
    // The cmdlet names travel in each item's X-CmdletName; the outer request names none.
    const { "X-CmdletName": _none, ...common } = this.#headers("$batch", outer.requestId, this.#pageSize);
    const headers = { ...common, Prefer: `odata.maxpagesize=${this.#pageSize};odata.continue-on-error` };
    let answer: Json;
    try {
      answer = await this.#post(`${this.#base}/$batch`, { requests }, headers, outer, (reply) => exchangeErrorOf(reply, outer.cmdlet, operation, "$batch"));
    } catch (error) {
      if (options.abortSignal?.aborted) throw error;
      // The whole request failed: every command of it failed the same way, under its own name.
      return items.map(({ command }) => ({ ok: false, command, error: relabel(error, command.cmdlet) }));
    }
    const responses = Array.isArray(answer["responses"]) ? (answer["responses"] as unknown[]).filter(isObject) : [];
    const results: ExchangeBatchItemResult[] = [];
    const again: number[] = [];
    let wait = 0;
    for (const [i, { command }] of items.entries()) {
      const inv = invocations[i]!;
      const response = responses.find((r) => String(r["id"]) === String(i + 1));
      if (!response) {
        results.push({ ok: false, command, error: new ExchangeCommandError("ERR_EXCHANGE_COMMAND_FAILED", `${command.cmdlet}: the $batch answer had no response for this command.`, { cmdlet: command.cmdlet, operation: inv.operation }) });
        continue;
      }
      const status = typeof response["status"] === "number" ? response["status"] : 0;
      if (status >= 200 && status < 300 && isObject(response["body"])) {
        try {
          results.push({ ok: true, command, result: await this.#collect(inv, items[i]!.parameters, undefined, response["body"]) });
        } catch (error) {
          if (options.abortSignal?.aborted) throw error;
          results.push({ ok: false, command, error: error as Error });
        }
        continue;
      }
      const error = exchangeErrorOf(itemReply(response), command.cmdlet, inv.operation);
      results.push({ ok: false, command, error });
      if (maySendAgain(error, false)) {
        again.push(i);
        wait = Math.max(wait, retryAfterMs(error) ?? 0);
      }
    }
    if (again.length > 0) {
      // Items that did not run (throttled, busy) go again one by one, with withRetry's back-off,
      // after the longest Retry-After any of them asked for.
      this.#logger.verbose(`${operation}: ${again.length} of ${items.length} commands were not run (throttled or busy); sending them again one by one`);
      await sleep(Math.min(wait, this.#retry.maxRetryDelayInMs), options.abortSignal, operation);
      for (const i of again) {
        const { command, parameters } = items[i]!;
        try {
          results[i] = { ok: true, command, result: await this.#collect(invocations[i]!, parameters, undefined) };
        } catch (error) {
          if (options.abortSignal?.aborted) throw error;
          results[i] = { ok: false, command, error: error as Error };
        }
      }
    }
    return results;
  }
}

/** The `Retry-After`-style view of a batch item's own status, headers and body. */
function itemReply(response: Json): HttpReply {
  const headers = isObject(response["headers"]) ? response["headers"] : {};
  const status = typeof response["status"] === "number" ? response["status"] : 500;
  return {
    status,
    headers: { get: (name) => { const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()); return key === undefined ? undefined : String(headers[key]); } },
    text: response["body"] === undefined || response["body"] === null ? "" : JSON.stringify(response["body"]),
  };
}

/** The cmdlets' `@adminapi.warnings` (strings), and non-terminating `@adminapi.errors` as warnings. */
function warningsOf(page: Json): string[] {
  const out: string[] = [];
  const warnings = page["@adminapi.warnings"];
  if (Array.isArray(warnings)) for (const w of warnings) if (typeof w === "string") out.push(w);
  else if (typeof warnings === "string") out.push(warnings);
  const errors = page["@adminapi.errors"];
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const text = typeof e === "string" ? e : isObject(e) ? (typeof e["message"] === "string" ? e["message"] : JSON.stringify(e)) : undefined;
      if (text) out.push(`Non-terminating error: ${text}`);
    }
  }
  return out;
}

/** The typed error of a failed reply. */
export function exchangeErrorOf(reply: HttpReply, cmdlet: ExchangeCmdlet, operation: string, label: string = cmdlet): ExchangeCommandError {
  const parts = parseExchangeErrorBody(jsonOf(reply.text));
  const requestId = reply.headers.get("request-id") ?? reply.headers.get("x-ms-request-id");
  const common = { cmdlet, operation, statusCode: reply.status, ...(requestId ? { requestId } : {}) };
  if (!parts) {
    let message: string;
    if (reply.status === 401) {
      message = `${label} was refused with 401: the token was not accepted. An application needs the Exchange.ManageAsApp permission of Office 365 Exchange Online (with admin consent) and ${roleNeededFor(cmdlet)}; a user needs ${roleNeededFor(cmdlet)}.`;
    } else if (reply.status === 403) {
      message = `${label} was refused with 403 and no reason, which is how Exchange Online answers a caller without the role: the caller needs ${roleNeededFor(cmdlet)}.`;
    } else {
      message = `${label} failed with HTTP ${reply.status}${reply.status === 429 ? " (throttled)" : ""}.`;
    }
    return new ExchangeCommandError(exchangeErrorCode({ exceptionClass: undefined, text: "" }, reply.status), message, common, { cause: replyCause(reply, message) });
  }
  const exceptionClass = parts.exceptionClass ?? reply.headers.get("x-exceptiontype");
  const code = exchangeErrorCode({ exceptionClass, text: parts.text }, reply.status);
  const tag = [parts.errorId, shortClassName(exceptionClass)].filter(Boolean).join(" ");
  const message = `${label} failed: ${parts.text}${tag ? ` (${tag})` : ""}`;
  return new ExchangeCommandError(code, message, {
    ...common,
    ...(parts.errorId ? { errorId: parts.errorId } : {}),
    ...(exceptionClass ? { exceptionClass } : {}),
    ...(parts.serviceCode ? { serviceCode: parts.serviceCode } : {}),
  }, { cause: replyCause(reply, message) });
}

/** The same failure under another command's name (a `$batch` request that failed as a whole). */
function relabel(error: unknown, cmdlet: ExchangeCmdlet): Error {
  if (!(error instanceof ExchangeCommandError)) return error as Error;
  return new ExchangeCommandError(error.code, error.message, {
    cmdlet,
    operation: error.operation,
    errorId: error.errorId,
    exceptionClass: error.exceptionClass,
    statusCode: error.statusCode,
    serviceCode: error.serviceCode,
    requestId: error.requestId,
  }, { cause: error.cause });
}
