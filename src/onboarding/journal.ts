/**
 * The apply journal: which steps finished and what they produced (key ids), written atomically
 * (temporary file, fsync, rename, fsync of the directory) after every step, so a crash, a kill or
 * Ctrl-C leaves either the previous journal or the new one, never half of one.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "../errors.js";
import { replaceFileAtomic } from "../store/backup-files.js";

const FORMAT = "customer-key/onboarding-journal";

/** The journal's content. */
export interface JournalData {
  format: typeof FORMAT;
  /** Digest of the configuration: a journal never resumes another configuration. */
  fingerprint: string;
  /** Ids of the steps finished, in order. */
  done: string[];
  /** Key ids (versioned) per `workload/member`, recorded as soon as known. */
  keys: Record<string, string>;
  /** The step being worked on when the journal was written, if any. */
  current?: string | undefined;
  /** Set when an apply went through every step: nothing is left to resume. */
  completed?: boolean | undefined;
  updatedAt: string;
}

export class Journal {
  private constructor(readonly file: string | undefined, readonly data: JournalData) {}

  static async open(file: string | undefined, fingerprint: string): Promise<Journal> {
    const fresh: JournalData = { format: FORMAT, fingerprint, done: [], keys: {}, updatedAt: new Date().toISOString() };
    if (!file) return new Journal(undefined, fresh);
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Journal(file, fresh);
      throw error;
    }
    let data: JournalData;
    try {
      data = JSON.parse(text) as JournalData;
    } catch {
      throw new InvalidInputError("ERR_JOURNAL_INVALID", `The journal ${file} is not JSON; it was not written by customer-key (delete it to start over).`, { field: "journal" });
    }
    if (data.format !== FORMAT || !Array.isArray(data.done) || typeof data.keys !== "object") {
      throw new InvalidInputError("ERR_JOURNAL_INVALID", `The journal ${file} is not an onboarding journal.`, { field: "journal" });
    }
    if (data.fingerprint !== fingerprint) {
      // A finished apply leaves nothing to resume: an edited configuration starts a new journal
      // (the plan reads what the finished one made from the tenant itself).
      if (data.completed) return new Journal(file, fresh);
      throw new InvalidInputError(
        "ERR_JOURNAL_INVALID",
        `The journal ${file} belongs to an apply of another configuration that has not finished (last step ${data.current ?? data.done.at(-1) ?? "none"}); restore that configuration and apply it to the end, or delete the journal to plan from what the tenant holds now.`,
        { field: "journal" },
      );
    }
    return new Journal(file, data);
  }

  isDone(id: string): boolean {
    return this.data.done.includes(id);
  }

  async begin(id: string): Promise<void> {
    this.data.current = id;
    await this.save();
  }

  async finish(id: string): Promise<void> {
    if (!this.isDone(id)) this.data.done.push(id);
    this.data.current = undefined;
    await this.save();
  }

  /** Marks every step done: a later apply of an edited configuration may start afresh. */
  async complete(): Promise<void> {
    if (this.data.completed) return;
    this.data.completed = true;
    await this.save();
  }

  async recordKey(slot: string, keyId: string): Promise<void> {
    this.data.keys[slot] = keyId;
    await this.save();
  }

  async save(): Promise<void> {
    if (!this.file) return;
    this.data.updatedAt = new Date().toISOString();
    await writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}

/** Replaces `target` atomically (the store's temp file, fsync, rename, directory fsync), making its directory first. */
export async function writeFileAtomic(target: string, text: string): Promise<void> {
  const resolved = path.resolve(target);
  await fs.mkdir(path.dirname(resolved), { recursive: true });
  await replaceFileAtomic(resolved, Buffer.from(text, "utf8"));
}
