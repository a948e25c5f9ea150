/**
 * One long-lived `pwsh` process running customer-key-host.ps1, driven by JSON lines. Started
 * lazily, one call at a time (the host is sequential), connected after each start, restarted
 * after a crash, a timeout or an abort (a running cmdlet cannot be interrupted safely, so the
 * process is killed), with a bound on restarts in a row.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { OperationAbortedError } from "../../errors.js";
import { throwIfAborted } from "../../internal/abort.js";
import type { CustomerKeyLogger } from "../../internal/logger.js";
import type { ExchangeParameterValue } from "../exchange-transport.js";
import { HOST_PROTOCOL_VERSION, parseResponseLine, type HostRequest, type HostResponse } from "./host-protocol.js";
import { PowerShellHostError, redact, type PowerShellHostErrorCode } from "./powershell-errors.js";

/** What the transport does after each start: connects, and says until when the connection holds. */
export type HostConnect = (send: (cmdlet: string, parameters: Record<string, ExchangeParameterValue>) => Promise<HostResponse>) => Promise<{ validUntil?: number }>;

export interface HostProcessOptions {
  /** The executable, e.g. `pwsh`. */
  pwshPath: string;
  /** The arguments: `-NoLogo -NoProfile -NonInteractive -File <script> -Mode <mode>`. */
  args: string[];
  /** Waiting for the host's first line, in ms. */
  startTimeoutMs: number;
  /** The connect cmdlet's timeout, in ms. */
  connectTimeoutMs: number;
  /** Restarts in a row (crash, timeout, failed start) without a successful call before giving up. */
  maxRestarts: number;
  /** How long close() waits for the host to disconnect and exit before killing it, in ms. */
  closeTimeoutMs: number;
  /** Connects the new process (the connect request, with its secret as data on stdin). */
  connect: HostConnect;
  /** The secrets to redact from diagnostics (the current access token). */
  secrets: () => readonly string[];
  logger: CustomerKeyLogger;
  /** Names the process in log lines and messages, e.g. `Exchange PowerShell host`. */
  label: string;
}

/** Options of one call. */
export interface HostCallOptions {
  timeoutMs: number;
  abortSignal?: AbortSignal | undefined;
  /** The operation name for abort errors. */
  operation: string;
}

const STDERR_LIMIT = 4096;
/** A connection is renewed this long before the token it was made with expires. */
const RENEW_MARGIN_MS = 5 * 60_000;

interface Pending {
  id: number;
  resolve(response: HostResponse): void;
  reject(error: Error): void;
}

/** One running process. */
class Session {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  pending: Pending | undefined;
  exited = false;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  connected = false;
  validUntil = Number.POSITIVE_INFINITY;
  /** The tail of stderr and of stdout lines outside the protocol. */
  private diagnosticText = "";
  private readyResolve!: () => void;
  private readyReject!: (error: Error) => void;
  private readySettled = false;

  constructor(
    private readonly options: HostProcessOptions,
    onExit: (session: Session) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => undefined);
    // The arguments hold no user value and no secret: those go to stdin as data.
    this.child = spawn(options.pwshPath, options.args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
    this.child.on("error", (error) => {
      this.failStart("ERR_POWERSHELL_START_FAILED", `${options.label} could not start '${options.pwshPath}': ${error.message}`, error);
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => this.note(chunk));
    this.child.stdin.on("error", () => undefined); // EPIPE after a crash; 'close' reports it.
    const lines = createInterface({ input: this.child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on("line", (line) => this.onLine(line));
    // 'close' comes after stdout has been read to the end, so a last response is never lost.
    this.child.on("close", (code, signal) => {
      this.exited = true;
      this.exitCode = code;
      this.exitSignal = signal;
      this.failStart("ERR_POWERSHELL_START_FAILED", `${options.label} exited before it was ready (${this.exitText()}).`);
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(this.error("ERR_POWERSHELL_CRASHED", `${options.label} exited during the call (${this.exitText()}); it restarts on the next call. The cmdlet may or may not have run.`));
      onExit(this);
    });
    this.hold(false);
  }

  exitText(): string {
    return this.exitSignal ? `signal ${this.exitSignal}` : `exit code ${this.exitCode}`;
  }

  diagnostics(): string {
    return redact(this.diagnosticText, this.options.secrets());
  }

  error(code: PowerShellHostErrorCode, message: string, cause?: unknown): PowerShellHostError {
    return new PowerShellHostError(code, message, { exitCode: this.exitCode, signal: this.exitSignal, diagnostics: this.diagnostics() }, cause === undefined ? undefined : { cause });
  }

  /** Keeps Node's event loop alive only while a call is in flight, so a forgotten close() does not hang the program. */
  hold(on: boolean): void {
    const method = on ? "ref" : "unref";
    this.child[method]();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?(): void; unref?(): void }[]) stream[method]?.();
  }

  send(request: HostRequest): Promise<HostResponse> {
    return new Promise<HostResponse>((resolve, reject) => {
      if (this.exited) {
        reject(this.error("ERR_POWERSHELL_CRASHED", `${this.options.label} is not running (${this.exitText()}).`));
        return;
      }
      this.pending = { id: request.id, resolve, reject };
      this.child.stdin.write(`${JSON.stringify(request)}\n`, "utf8");
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private note(text: string): void {
    this.diagnosticText = (this.diagnosticText + text).slice(-STDERR_LIMIT);
  }

  private failStart(code: PowerShellHostErrorCode, message: string, cause?: unknown): void {
    if (this.readySettled) return;
    this.readySettled = true;
    this.readyReject(this.error(code, message, cause));
  }

  private onLine(line: string): void {
    const response = parseResponseLine(line);
    if (!this.readySettled) {
      if (response?.id !== 0) {
        this.note(`${line}\n`);
        return;
      }
      const hello = response.value[0] as { protocol?: unknown } | undefined;
      if (!response.ok) {
        this.failStart("ERR_POWERSHELL_START_FAILED", `${this.options.label} refused to start: ${redact(response.error?.message ?? "no reason given", this.options.secrets())}`);
        this.kill();
      } else if (hello?.protocol !== HOST_PROTOCOL_VERSION) {
        this.failStart("ERR_POWERSHELL_PROTOCOL", `${this.options.label} speaks protocol ${String(hello?.protocol)}, this transport ${HOST_PROTOCOL_VERSION}: the host script and the package do not match.`);
        this.kill();
      } else {
        this.readySettled = true;
        this.readyResolve();
      }
      return;
    }
    if (response && this.pending && response.id === this.pending.id) {
      const pending = this.pending;
      this.pending = undefined;
      pending.resolve(response);
    } else {
      // Output a module wrote straight to the console: kept for diagnosis, never parsed.
      this.note(`${line}\n`);
    }
  }
}

/** The process manager one transport owns. */
export class PowerShellHost {
  private session: Session | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failuresInARow = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: HostProcessOptions) {}

  /** The running process's id, if one runs (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.session && !this.session.exited ? this.session.child.pid : undefined;
  }

  /**
   * Runs one cmdlet after the calls queued before it. Connects first when the process is new or
   * its connection is about to expire. Resolves with the host's response, ok or not.
   */
  invoke(cmdlet: string, parameters: Record<string, ExchangeParameterValue>, options: HostCallOptions): Promise<HostResponse> {
    if (this.closed) return Promise.reject(new PowerShellHostError("ERR_POWERSHELL_CLOSED", `${this.options.label} was closed; make a new transport.`));
    throwIfAborted(options.abortSignal, options.operation);
    const turn = this.queue.then(() => this.runNow(cmdlet, parameters, options));
    this.queue = turn.catch(() => undefined);
    const signal = options.abortSignal;
    if (!signal) return turn;
    // A call still waiting for its turn leaves the queue at once when aborted.
    return new Promise<HostResponse>((resolve, reject) => {
      const onAbort = () => reject(new OperationAbortedError(options.operation, { cause: signal.reason }));
      signal.addEventListener("abort", onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /** Ends the process: stdin closes, the host disconnects and exits; killed after `closeTimeoutMs`. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (!session || session.exited) return;
    session.hold(true);
    const exited = new Promise<void>((resolve) => session.child.once("close", () => resolve()));
    session.child.stdin.end();
    const timer = setTimeout(() => session.kill(), this.options.closeTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private async runNow(cmdlet: string, parameters: Record<string, ExchangeParameterValue>, options: HostCallOptions): Promise<HostResponse> {
    if (this.closed) throw new PowerShellHostError("ERR_POWERSHELL_CLOSED", `${this.options.label} was closed; make a new transport.`);
    throwIfAborted(options.abortSignal, options.operation);
    const session = await this.connected(options);
    const response = await this.call(session, "invoke", cmdlet, parameters, options);
    this.failuresInARow = 0;
    return response;
  }

  /** A started, connected session. */
  private async connected(options: HostCallOptions): Promise<Session> {
    let session = this.session;
    if (!session || session.exited) {
      if (this.failuresInARow > this.options.maxRestarts) {
        throw new PowerShellHostError(
          "ERR_POWERSHELL_RESTART_LIMIT",
          `${this.options.label} failed ${this.failuresInARow} times in a row (crash, timeout or failed start); not restarting it again. Make a new transport once the cause is fixed.`,
        );
      }
      session = this.start();
      this.session = session;
      session.hold(true);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        session!.kill();
      }, this.options.startTimeoutMs);
      try {
        await this.untilAborted(session, session.ready, options);
      } catch (error) {
        session.kill();
        if (options.abortSignal?.aborted) throw error;
        this.failuresInARow += 1;
        if (timedOut) throw session.error("ERR_POWERSHELL_START_FAILED", `${this.options.label} did not start within ${this.options.startTimeoutMs} ms.`);
        throw error;
      } finally {
        clearTimeout(timer);
        session.hold(false);
      }
      this.options.logger.verbose(`${this.options.label}: started (pid ${session.child.pid})`);
    }
    if (!session.connected || Date.now() > session.validUntil - RENEW_MARGIN_MS) {
      session.connected = false;
      const connectOptions = { ...options, timeoutMs: this.options.connectTimeoutMs };
      const { validUntil } = await this.options.connect((cmdlet, parameters) => this.call(session!, "connect", cmdlet, parameters, connectOptions));
      session.connected = true;
      session.validUntil = validUntil ?? Number.POSITIVE_INFINITY;
    }
    return session;
  }

  private start(): Session {
    return new Session(this.options, (ended) => {
      if (this.session === ended) this.session = undefined;
    });
  }

  /** Sends one request and waits for its answer, its timeout or the caller's abort. */
  private async call(session: Session, op: HostRequest["op"], cmdlet: string, parameters: Record<string, ExchangeParameterValue>, options: HostCallOptions): Promise<HostResponse> {
    const request: HostRequest = { id: this.nextId++, op, cmdlet, parameters };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      session.kill();
    }, options.timeoutMs);
    session.hold(true);
    try {
      return await this.untilAborted(session, session.send(request), options);
    } catch (error) {
      if (options.abortSignal?.aborted) throw error;
      this.failuresInARow += 1;
      if (timedOut) {
        throw session.error("ERR_POWERSHELL_TIMEOUT", `${cmdlet} did not finish within ${options.timeoutMs} ms; ${this.options.label} was stopped and restarts on the next call. The cmdlet may or may not have run.`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      session.hold(false);
    }
  }

  /** Waits for `work`; an abort kills the process (a running cmdlet cannot be stopped safely) and rejects at once. */
  private untilAborted<T>(session: Session, work: Promise<T>, options: HostCallOptions): Promise<T> {
    const signal = options.abortSignal;
    if (!signal) return work;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        session.kill();
        this.options.logger.verbose(`${this.options.label}: stopped for an abort; restarts on the next call`);
        reject(new OperationAbortedError(options.operation, { cause: signal.reason }));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }
}
