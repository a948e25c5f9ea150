/**
 * Progress for long operations: a one-line bar redrawn in place when the stream is a TTY, plain
 * lines (at most one per step of 10 %) otherwise, so logs and CI stay readable. Written here
 * rather than taken from a library: it is one line of output and the libraries (cli-progress and
 * the like) bring terminal handling, colours and timers the CLI does not need.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  done(note?: string): void;
}

const WIDTH = 30;

export function progressBar(label: string, stream: ProgressStream, options: { width?: number } = {}): ProgressBar {
  const tty = !!stream.isTTY;
  let lastStep = -1;
  let lastLine = "";
  const line = (done: number, total: number, note = "") => {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const text = `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${done}/${total}${note ? ` ${note}` : ""}`;
    return text.slice(0, (options.width ?? 100) - 1);
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
      if (tty) stream.write(`\r${lastLine}${note ? ` ${note}` : ""}\x1b[K\n`);
      else if (note) stream.write(`${label}: ${note}\n`);
    },
  };
}
