/**
 * `report.toHtml()`: one self-contained page — inline CSS, inline SVG, no script, no external
 * resource (its Content-Security-Policy forbids any) — with the summary, the topology picture
 * (failing parts marked) and every check with its evidence and fix. Every string from the
 * tenant (names, evidence, tags) goes through `escapeHtml`.
 */
import { layoutTopology, NODE_HEIGHT, NODE_WIDTH, type TopologyLayout } from "./topology-layout.js";
import type { CheckStatus, PreflightCheck, PreflightTopology } from "./types.js";

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const COLOURS: Record<CheckStatus, { fill: string; stroke: string; text: string }> = {
  pass: { fill: "#eef7ee", stroke: "#3c8c40", text: "#1d4d20" },
  fail: { fill: "#fdecec", stroke: "#c62828", text: "#8e1111" },
  warn: { fill: "#fff6e0", stroke: "#c48a00", text: "#6b4b00" },
  skip: { fill: "#f2f2f2", stroke: "#999999", text: "#555555" },
};

/** Cuts a label to fit its box (the full text stays in the box's tooltip). */
const fit = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The topology as an inline SVG (no external reference). */
export function topologySvg(layout: TopologyLayout): string {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const edges = layout.edges.map((e) => {
    const a = byId.get(e.from)!;
    const b = byId.get(e.to)!;
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    const x1 = left.x + NODE_WIDTH;
    const y1 = left.y + NODE_HEIGHT / 2;
    const x2 = right.x;
    const y2 = right.y + NODE_HEIGHT / 2;
    const mid = (x1 + x2) / 2;
    const bad = a.status === "fail" && b.status === "fail";
    return `<path d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" stroke="${bad ? COLOURS.fail.stroke : "#9aa5b1"}" stroke-width="1.5"/>`;
  });
  const nodes = layout.nodes.map((n) => {
    const c = COLOURS[n.status];
    const mark = n.status === "pass" ? "" : n.status === "fail" ? "✗ " : "! ";
    const tooltip = [n.label, n.detail, ...n.marks].join("\n");
    return [
      `<g class="node ${n.status}" data-id="${escapeHtml(n.id)}" data-layer="${n.layer}">`,
      `<title>${escapeHtml(tooltip)}</title>`,
      `<rect x="${n.x}" y="${n.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${n.status === "pass" ? 1 : 2.5}"/>`,
      `<text x="${n.x + 10}" y="${n.y + 19}" font-size="13" font-weight="600" fill="${c.text}">${escapeHtml(mark + fit(n.label, 24))}</text>`,
      `<text x="${n.x + 10}" y="${n.y + 36}" font-size="11" fill="#444">${escapeHtml(fit(n.detail, 31))}</text>`,
      `</g>`,
    ].join("");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Topology" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="system-ui, sans-serif">${edges.join("")}${nodes.join("")}</svg>`;
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.result { font-size: 16px; margin: 8px 0 0; } .result.ok { color: #1d4d20; } .result.bad { color: #8e1111; }
.picture svg { max-width: 100%; height: auto; display: block; }
.picture { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; background: #fbfbfc; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #d0d7de; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } code { font-size: 12px; } .fix { color: #444; font-size: 13px; margin-top: 4px; }
.status { font-weight: 700; white-space: nowrap; } tr.fail .status { color: #c62828; } tr.warn .status { color: #a06f00; } tr.pass .status { color: #2e7d32; } tr.skip .status { color: #777; }
tr.fail { background: #fff5f5; } .legend span { margin-right: 16px; }
`;

function checkRow(c: PreflightCheck): string {
  const fix = c.remediation && (c.status === "fail" || c.status === "warn") ? `<div class="fix"><strong>Fix:</strong> ${escapeHtml(c.remediation)}</div>` : "";
  return `<tr class="${c.status}"><td class="status">${c.status.toUpperCase()}</td><td><code>${escapeHtml(c.id)}</code><br>${escapeHtml(c.title)}</td><td>${escapeHtml(c.target)}</td><td>${escapeHtml(c.evidence)}${fix}</td></tr>`;
}

/** The whole page. */
export function reportHtml(input: { title: string; generatedAt: string; ok: boolean; summary: Record<CheckStatus, number>; checks: readonly PreflightCheck[]; topology: PreflightTopology | undefined }): string {
  const s = input.summary;
  const picture = input.topology
    ? `<h2>Topology</h2><p class="legend"><span>Green: no failing check</span><span style="color:#a06f00">! a warning</span><span style="color:#c62828">✗ a failing check (hover for which)</span></p><div class="picture">${topologySvg(layoutTopology(input.topology, input.checks))}</div>`
    : "";
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(input.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="result ${input.ok ? "ok" : "bad"}"><strong>Result: ${input.ok ? "ready" : "NOT ready"}</strong> — ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped. Generated ${escapeHtml(input.generatedAt)}.</p>`,
    picture,
    `<h2>Checks</h2><table><thead><tr><th>Status</th><th>Check</th><th>Target</th><th>Evidence and fix</th></tr></thead><tbody>`,
    ...input.checks.map(checkRow),
    `</tbody></table></body></html>`,
    "",
  ].join("\n");
}
