/**
 * What a terminal shows for some output: `\r` returns to column 0, `\n` starts a line, `ESC[K`
 * erases to the end of the line, other CSI sequences (colour) take no column. Each line keeps the
 * widest column ever written to it, so a test sees a line that would have wrapped even if it was
 * redrawn shorter afterwards.
 */
export interface Screen {
  lines: string[];
  /** Per line, the most columns it ever held. */
  widest: number[];
}

export function renderTerminal(output: string): Screen {
  const lines: string[][] = [[]];
  const widest = [0];
  let column = 0;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    const row = lines.length - 1;
    if (ch === "\r") column = 0;
    else if (ch === "\n") {
      lines.push([]);
      widest.push(0);
      column = 0;
    } else if (ch === "\x1b" && output[i + 1] === "[") {
      const end = output.slice(i + 2).search(/[@-~]/);
      const final = output[i + 2 + end];
      if (final === "K") lines[row]!.length = column;
      i += 2 + end;
    } else {
      lines[row]![column++] = ch;
      widest[row] = Math.max(widest[row]!, column);
    }
  }
  return { lines: lines.map((l) => l.join("")), widest };
}
