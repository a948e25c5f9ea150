/** Plain-text layout for terminals: word wrap to a width, counted in code points (the reports hold no wide characters). */

export function textWidth(text: string): number {
  return [...text].length;
}

/** One line of text: newlines and tabs become spaces, other control characters go. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\r\n\t]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "");
}

/**
 * Wraps `text` into lines of at most `width` columns at spaces; a word longer than the width
 * (an ARM id, a key URI) is broken after a separator, or cut, since it cannot fit otherwise.
 * Always at least one line.
 */
export function wrap(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const lines: string[] = [];
  let line = "";
  for (const word of oneLine(text).split(" ").filter(Boolean)) {
    let rest = word;
    if (line && textWidth(line) + 1 + textWidth(rest) <= max) {
      line += ` ${rest}`;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    while (textWidth(rest) > max) {
      const chars = [...rest];
      // Prefer a break after a separator (ARM ids, GUIDs, URLs), else cut at the width.
      let cut = max;
      for (let i = max; i > max / 2; i--) {
        if ("/-.:_".includes(chars[i - 1]!)) {
          cut = i;
          break;
        }
      }
      lines.push(chars.slice(0, cut).join(""));
      rest = chars.slice(cut).join("");
    }
    line = rest;
  }
  lines.push(line);
  return lines;
}

/** Wraps with a prefix on the first line and the same width of spaces before the others. */
export function wrapIndented(text: string, width: number, prefix: string): string[] {
  const indent = " ".repeat(textWidth(prefix));
  return wrap(text, width - textWidth(prefix)).map((line, i) => `${i === 0 ? prefix : indent}${line}`.trimEnd());
}

/** Pads to a width (no truncation: callers wrap first). */
export function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - textWidth(text)));
}
