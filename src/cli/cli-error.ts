/** Errors of the CLI itself (not the SDK's): a stable code, what happened, and the fix. */
import { CustomerKeyError, type CustomerKeyErrorCode } from "../errors.js";

export class CliError extends CustomerKeyError {
  /** What to do about it, printed on its own line. */
  readonly fix: string;
  /** Exit code: 2 for bad input given on the command line or in the configuration, 3 otherwise. */
  readonly exitCode: number;
  constructor(code: CustomerKeyErrorCode, message: string, fix: string, exitCode = 2) {
    super(code, message);
    this.fix = fix;
    this.exitCode = exitCode;
  }
}
