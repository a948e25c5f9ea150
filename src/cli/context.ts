import type { Command } from "commander";
import type { StopReason } from "./lifetime.js";
import type { ProgressStream } from "./progress.js";

/** Where a command writes: stdout carries results (JSON a script can parse), stderr carries notes for people. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliContext {
  io: CliIo;
  /** Set by a long-running command when it stopped because of a signal or its parent's exit. */
  stopReason?: StopReason;
  /** Where progress bars go (stdout; a bar only when it is a TTY). Default: none. */
  progress?: ProgressStream;
  /** Aborted on SIGINT by the executable: long commands stop and exit 130. */
  signal?: AbortSignal;
  /** Set by a command that finished but whose result is a failure (1: checks failed). */
  exitCode?: number;
}

/** One file under commands/ per command (group); each adds itself to the program. */
export type RegisterCommand = (program: Command, context: CliContext) => void;
