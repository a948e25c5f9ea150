/**
 * The checkpoint file of a bulk assignment: which recipients already have the policy (and which
 * failed for good in the last run), written atomically (temporary file + rename, as the backup
 * store writes its manifest) so a crash leaves the previous version, never half a file. Writes
 * are coalesced: one in flight, the next carries everything recorded meanwhile.
 */
import { readFile } from "node:fs/promises";
import { InvalidInputError } from "../../errors.js";
import { replaceFileAtomic } from "../../store/backup-files.js";

const KIND = "customer-key.policies.exchange.bulk-assign";

interface CheckpointFile {
  kind: typeof KIND;
  version: 1;
  policy: string;
  finished: boolean;
  succeeded: string[];
  failed: Record<string, { code: string; message: string }>;
}

export class AssignCheckpoint {
  readonly succeeded = new Set<string>();
  failed: Record<string, { code: string; message: string }> = {};
  /** True when the file was there and its run had not finished (a crash or an abort). */
  resumedUnfinished = false;
  finished = false;
  #writing: Promise<void> | undefined;
  #dirty = false;

  private constructor(
    readonly file: string | undefined,
    readonly policy: string,
  ) {}

  /** Reads the checkpoint (or starts an empty one); one of another policy is refused. */
  static async open(file: string | undefined, policy: string): Promise<AssignCheckpoint> {
    const checkpoint = new AssignCheckpoint(file, policy);
    if (!file) return checkpoint;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return checkpoint;
      throw error;
    }
    let parsed: Partial<CheckpointFile>;
    try {
      parsed = JSON.parse(text) as Partial<CheckpointFile>;
    } catch (error) {
      throw new InvalidInputError("ERR_CHECKPOINT_INVALID", `The checkpoint file ${file} is not a bulk-assignment checkpoint (not JSON); pass another path or remove it.`, { cause: error, field: "checkpoint" });
    }
    if (parsed.kind !== KIND || !Array.isArray(parsed.succeeded)) {
      throw new InvalidInputError("ERR_CHECKPOINT_INVALID", `The checkpoint file ${file} is not a bulk-assignment checkpoint; pass another path or remove it.`, { field: "checkpoint" });
    }
    if (parsed.policy !== policy) {
      throw new InvalidInputError("ERR_CHECKPOINT_INVALID", `The checkpoint file ${file} belongs to policy '${String(parsed.policy)}', not '${policy}'; give each policy its own checkpoint file.`, { field: "checkpoint" });
    }
    for (const m of parsed.succeeded) checkpoint.succeeded.add(m);
    checkpoint.failed = parsed.failed ?? {};
    checkpoint.resumedUnfinished = parsed.finished !== true;
    return checkpoint;
  }

  static key(mailbox: string): string {
    return mailbox.trim().toLowerCase();
  }

  has(mailbox: string): boolean {
    return this.succeeded.has(AssignCheckpoint.key(mailbox));
  }

  recordSuccess(mailbox: string): void {
    const key = AssignCheckpoint.key(mailbox);
    this.succeeded.add(key);
    delete this.failed[key];
    this.#schedule();
  }

  recordFailure(mailbox: string, error: { code: string; message: string }): void {
    this.failed[AssignCheckpoint.key(mailbox)] = error;
    this.#schedule();
  }

  #schedule(): void {
    if (!this.file) return;
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const body: CheckpointFile = { kind: KIND, version: 1, policy: this.policy, finished: this.finished, succeeded: [...this.succeeded], failed: this.failed };
        await replaceFileAtomic(this.file!, new TextEncoder().encode(JSON.stringify(body)));
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Waits until everything recorded is on disk. */
  async flush(): Promise<void> {
    if (!this.file) return;
    if (this.#writing) await this.#writing;
    if (this.#dirty) {
      this.#writing ??= this.#drain();
      await this.#writing;
    }
  }

  async markFinished(): Promise<void> {
    this.finished = true;
    this.#schedule();
    await this.flush();
  }
}
