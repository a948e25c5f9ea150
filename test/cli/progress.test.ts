/** The progress bar: redrawn in place on a TTY (within the terminal's width), plain lines elsewhere. */
import { describe, expect, it } from "vitest";
import { progressBar, type ProgressStream } from "../../src/cli/progress.js";
import { renderTerminal } from "../helpers/terminal-screen.js";

function stream(tty: boolean, columns?: number): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text), ...(tty ? { isTTY: true } : {}), ...(columns !== undefined ? { columns } : {}) };
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b/;

describe("progressBar on a TTY", () => {
  it("redraws one line with carriage returns and ends with the final line", () => {
    const out = stream(true, 120);
    const bar = progressBar("assigning", out);
    for (let done = 0; done <= 300; done++) bar.update(done, 300, `user${String(done).padStart(6, "0")}@contoso.onmicrosoft.com`);
    bar.done("completed");
    // Every update redraws in place: no line break until the end.
    expect(out.writes.slice(0, -1).every((w) => w.startsWith("\r") && w.endsWith("\x1b[K") && !w.includes("\n"))).toBe(true);
    expect(out.writes.length).toBeLessThanOrEqual(302);
    const screen = renderTerminal(out.writes.join(""));
    expect(screen.lines).toEqual([`assigning [${"#".repeat(30)}] 300/300 user000300@contoso.onmicrosoft.com completed`, ""]);
    // 120 columns wide, the bar still keeps to 100.
    expect(Math.max(...screen.widest)).toBeLessThanOrEqual(100);
  });

  it("skips redraws that change nothing", () => {
    const out = stream(true);
    const bar = progressBar("applying", out);
    for (let i = 0; i < 50; i++) bar.update(1, 10000);
    expect(out.writes).toHaveLength(1);
  });

  it.each([
    [80, 80],
    [40, 40],
    [0, 100], // unknown width (a pseudo-terminal with no size): 100
    [undefined, 100],
  ])("keeps every line, the last too, within a terminal of %s columns (at most %i)", (columns, limit) => {
    const out = stream(true, columns);
    const bar = progressBar("applying", out);
    const longNote = `assignments/exchange/${"EU_mailboxes_of_the_western_region_".repeat(3)}`;
    for (let done = 0; done <= 20; done++) bar.update(done, 20, longNote);
    bar.done("waiting for Microsoft's Do-Not-Cancel approval");
    const screen = renderTerminal(out.writes.join(""));
    expect(Math.max(...screen.widest)).toBeLessThan(limit);
    // The outcome stays in view when the line is cut: the bar gives way, not the outcome.
    expect(screen.lines[0]).toContain("waiting for Microsoft");
    if (limit >= 80) expect(screen.lines[0]).toMatch(/^applying \[#+.* waiting for Microsoft's Do-Not-Cancel approval$/);
    if (limit >= 100) expect(screen.lines[0]).toContain(`[${"#".repeat(30)}] 20/20 assi`);
  });

  it("done() before any update still prints the label and the outcome on a line of its own", () => {
    const out = stream(true, 80);
    progressBar("applying", out).done("nothing to do");
    expect(renderTerminal(out.writes.join("")).lines).toEqual(["applying nothing to do", ""]);
  });
});

describe("progressBar elsewhere (a pipe, a log file, CI)", () => {
  it("prints plain lines, at most one per 10 %, with no carriage return or escape code", () => {
    const out = stream(false);
    const bar = progressBar("assigning", out);
    for (let done = 0; done <= 1000; done++) bar.update(done, 1000);
    bar.done("completed");
    const text = out.writes.join("");
    expect(text).not.toContain("\r");
    expect(text).not.toMatch(ESCAPE);
    const lines = text.split("\n").filter(Boolean);
    expect(lines).toHaveLength(12); // 0 %, 10 % … 100 %, and the outcome
    expect(lines[0]).toBe(`assigning [${"-".repeat(30)}] 0/1000`);
    expect(lines[10]).toBe(`assigning [${"#".repeat(30)}] 1000/1000`);
    expect(lines[11]).toBe("assigning: completed");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(100);
  });

  it("ignores the width of a stream that is not a terminal only as far as it keeps to 100 columns", () => {
    const out = stream(false, 300);
    const bar = progressBar("applying", out);
    bar.update(1, 2, "x".repeat(200));
    bar.done("y".repeat(200));
    for (const line of out.writes.join("").split("\n")) expect(line.length).toBeLessThan(100);
  });
});
