/**
 * How a long-running command (the emulator) learns that it should stop.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP stop it; after cleaning up it re-raises the signal so that its parent
 * sees "killed by SIGTERM" (a shell then stops too instead of running on).
 *
 * Parent exit: `npx customer-key …` and `npm run …` start the command as node ← sh -c ← npm. npm
 * passes SIGTERM/SIGINT on to the shell only, and the shell (dash, bash) dies or waits without
 * passing it to node, so node used to survive, reparented to init. When started by npm (which
 * sets npm_lifecycle_event; pnpm and yarn do too) the command therefore also stops when its
 * parent goes away. Started any other way (a terminal, nohup, a service manager) it does not,
 * so a deliberately backgrounded emulator keeps running.
 */
export type StopReason = { kind: "signal"; signal: NodeJS.Signals } | { kind: "parentExited" };

export interface WaitForStopOptions {
  /** Watch the parent process (default: when started by a package manager). */
  watchParent?: boolean;
  /** How often to look at the parent, in ms. */
  parentPollMs?: number;
}

export function startedByPackageManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.npm_lifecycle_event;
}

/** SIGHUP too: a closed terminal then still saves the state before the emulator ends. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface StopWatch {
  /** Resolves with the first reason to stop. */
  stopped: Promise<StopReason>;
  /** Removes the signal handlers and the parent watch (when the command ends another way). */
  dispose(): void;
}

export function waitForStop(options: WaitForStopOptions = {}): StopWatch {
  const watchParent = options.watchParent ?? startedByPackageManager();
  const parent = process.ppid;
  let timer: NodeJS.Timeout | undefined;
  let resolveStop!: (reason: StopReason) => void;
  const stopped = new Promise<StopReason>((resolve) => (resolveStop = resolve));
  const handlers = STOP_SIGNALS.map((signal) => [signal, () => finish({ kind: "signal", signal })] as const);
  const dispose = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    if (timer) clearInterval(timer);
  };
  const finish = (reason: StopReason) => {
    dispose();
    resolveStop(reason);
  };
  for (const [signal, handler] of handlers) process.on(signal, handler);
  if (watchParent) {
    // process.ppid is read afresh on every access; an orphan is reparented to init or a subreaper.
    timer = setInterval(() => {
      if (process.ppid !== parent) finish({ kind: "parentExited" });
    }, options.parentPollMs ?? 250);
  }
  return { stopped, dispose };
}

/** Ends the process the way its stop reason asks: re-raise a signal (handlers are gone by now), else exit 0. */
export function exitFor(reason: StopReason): void {
  if (reason.kind === "signal") process.kill(process.pid, reason.signal);
  else process.exit(0);
}
