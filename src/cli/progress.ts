/**
 * Progress for long operations: a one-line bar redrawn in place when the stream is a TTY, plain
 * lines (at most one per step of 10 %) otherwise, so logs and CI stay readable. Written here
 * rather than taken from a library: it is one line of output and the libraries (cli-progress and
 * the like) bring terminal handling, colours and timers the CLI does not need.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width (a TTY stream has it; 0 or absent when unknown). */
  columns?: number;
}

export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  done(note?: string): void;
}

const BAR = 30;
const MAX_WIDTH = 100;

export function progressBar(label: string, stream: ProgressStream, options: { width?: number } = {}): ProgressBar {
  const tty = !!stream.isTTY;
  // One column short of the width: a line that fills the last column wraps on some terminals, and `\r` then redraws only its tail.
  const width = Math.min(options.width ?? MAX_WIDTH, stream.columns || MAX_WIDTH) - 1;
  const fit = (text: string) => [...text].slice(0, Math.max(1, width)).join("");
  let lastStep = -1;
  let lastLine = "";
  const line = (done: number, total: number, note = "") => {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * BAR);
    return fit(`${label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${done}/${total}${note ? ` ${note}` : ""}`);
  };
  return {
    update(done, total, note) {
      const text = line(done, total, note);
      if (tty) {
        if (text !== lastLine) stream.write(`\r${text}\x1b[K`);
        lastLine = text;
        return;
      }
      const step = total > 0 ? Math.floor((done / total) * 10) : 0;
      if (step !== lastStep) stream.write(`${text}\n`);
      lastStep = step;
      lastLine = text;
    },
    done(note) {
      // The last bar with the outcome, cut to the width like every other line (the outcome kept in view).
      if (tty) stream.write(`\r${note ? fitWithNote(lastLine || label, note, width) : lastLine || label}\x1b[K\n`);
      else if (note) stream.write(`${fit(`${label}: ${note}`)}\n`);
    },
  };
}

/** `text note` in `width` columns: the text is shortened, not the note, so the outcome stays visible. */
function fitWithNote(text: string, note: string, width: number): string {
  const tail = [...` ${note}`].slice(0, Math.max(1, width));
  return [...[...text].slice(0, Math.max(0, width - tail.length)), ...tail].join("");
}
