/**
 * Writes the results as an SVG bar chart (hand-written SVG text): one group per
 * throughput scenario with a bar per server at its ratio to raw uWS (1.0 =
 * the ceiling) and upie's target marked, then a panel of idle memory per
 * WebSocket connection in KB.
 *
 * @module
 */
import { TARGETS } from "./targets.js";
import { valueOf, type ScenarioResult } from "./results.js";
import { SERVER_INFO, SERVER_LABELS, SERVERS, type ServerName } from "./servers.js";

const colorOf = (server: ServerName) => SERVER_INFO[server].color;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Renders the chart; `subtitle` says which run (command, date, smoke or not). */
export function renderChart(results: readonly ScenarioResult[], subtitle: string): string {
  const ratioGroups = results.filter((r) => r.higherIsBetter && valueOf(r, "uws") !== null);
  const memory = results.find((r) => r.name === "ws-idle");
  const bar = 11;
  const gap = 26;
  const groupWidth = (group: ScenarioResult) => group.rows.filter((r) => r.status !== "n/a").length * bar;
  const left = 56;
  const plotWidth = Math.max(480, ratioGroups.reduce((w, g) => w + groupWidth(g) + gap, 0));
  // The legend names the servers this run measured.
  const shown = SERVERS.filter((server) => results.some((r) => r.rows.some((row) => row.server === server && row.status !== "n/a")));
  const width = left + Math.max(plotWidth, 840) + 20;
  // The legend wraps into rows as wide as the plot.
  const legendRows: ServerName[][] = [[]];
  let rowWidth = 0;
  for (const server of shown) {
    const itemWidth = 26 + SERVER_LABELS[server].length * 6;
    if (rowWidth + itemWidth > width - left - 20 && legendRows.at(-1)!.length > 0) {
      legendRows.push([]);
      rowWidth = 0;
    }
    legendRows.at(-1)!.push(server);
    rowWidth += itemWidth;
  }
  // The idle-memory panel's labels sit left of its bars.
  const labelWidth = 6.2 * Math.max(10, ...SERVERS.map((server) => SERVER_LABELS[server].length));
  const top = 64;
  const plotHeight = 260;
  // Room for the rotated scenario names under the bars.
  const labelDepth = 0.5 * 6.2 * Math.max(0, ...ratioGroups.map((g) => g.title.length)) + 24;
  const memoryTop = top + plotHeight + labelDepth + 40;
  const memoryHeight = memory === undefined ? 0 : 150;
  const legendTop = memoryTop + memoryHeight + (memory === undefined ? 0 : 60);
  const height = legendTop + 18 * legendRows.length + 30;

  const ratios = ratioGroups.flatMap((g) => g.rows.map((r) => (r.status === "ok" && r.value !== null ? r.value / valueOf(g, "uws")! : 0)));
  const yMax = Math.max(1.2, Math.ceil(Math.max(0, ...ratios.filter(Number.isFinite)) * 5) / 5);
  const y = (ratio: number) => top + plotHeight - (Math.min(ratio, yMax) / yMax) * plotHeight;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="24" font-size="16" font-weight="600">upie benchmarks: throughput relative to raw uWebSockets.js (same run, same machine)</text>`);
  out.push(`<text x="${left}" y="42" fill="#555">${escape(subtitle)}</text>`);

  for (let tick = 0; tick <= yMax + 1e-9; tick += 0.2) {
    const ty = y(tick);
    out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${ty}" y2="${ty}" stroke="${Math.abs(tick - 1) < 1e-9 ? "#333" : "#e5e7eb"}"/>`);
    out.push(`<text x="${left - 6}" y="${ty + 4}" text-anchor="end" fill="#555">${tick.toFixed(1)}×</text>`);
  }

  let x = left + gap / 2;
  for (const group of ratioGroups) {
    const uws = valueOf(group, "uws")!;
    const rows = group.rows.filter((r) => r.status !== "n/a");
    rows.forEach((row, i) => {
      const ratio = row.status === "ok" && row.value !== null && Number.isFinite(row.value) ? row.value / uws : 0;
      const bx = x + i * bar;
      out.push(
        `<rect x="${bx}" y="${y(ratio)}" width="${bar - 2}" height="${top + plotHeight - y(ratio)}" fill="${colorOf(row.server)}">` +
          `<title>${escape(`${row.label}: ${ratio.toFixed(2)}× (${group.title})`)}</title></rect>`,
      );
    });
    for (const target of TARGETS.filter((t) => t.scenario === group.name && t.against === "uws" && t.kind === "ratio-at-least")) {
      const ty = y(target.goal);
      out.push(`<line x1="${x - 3}" x2="${x + groupWidth(group) + 1}" y1="${ty}" y2="${ty}" stroke="${colorOf(target.server)}" stroke-dasharray="4 3"/>`);
    }
    const cx = x + groupWidth(group) / 2;
    out.push(`<text x="${cx}" y="${top + plotHeight + 14}" text-anchor="end" transform="rotate(-30 ${cx} ${top + plotHeight + 14})">${escape(group.title)}</text>`);
    x += groupWidth(group) + gap;
  }

  if (memory !== undefined) {
    const rows = memory.rows.filter((r) => r.status === "ok" && r.value !== null && Number.isFinite(r.value));
    const kbMax = Math.max(1, ...rows.map((r) => r.value!));
    out.push(`<text x="${left}" y="${memoryTop - 12}" font-size="13" font-weight="600">Idle WebSocket memory, KB per connection (lower is better)</text>`);
    const rowHeight = memoryHeight / Math.max(1, rows.length);
    rows.forEach((row, i) => {
      const ry = memoryTop + i * rowHeight;
      const w = (Math.max(0, row.value!) / kbMax) * (width - left - labelWidth - 80);
      out.push(`<text x="${left + labelWidth}" y="${ry + rowHeight / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`);
      out.push(`<rect x="${left + labelWidth + 6}" y="${ry + 2}" width="${w}" height="${rowHeight - 4}" fill="${colorOf(row.server)}"/>`);
      out.push(`<text x="${left + labelWidth + 10 + w}" y="${ry + rowHeight / 2 + 4}">${row.value!.toFixed(2)}</text>`);
    });
  }

  legendRows.forEach((servers, r) => {
    let lx = left;
    const ly = legendTop + r * 18;
    for (const server of servers) {
      out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colorOf(server)}"/>`);
      out.push(`<text x="${lx + 14}" y="${ly + 9}">${escape(SERVER_LABELS[server])}</text>`);
      lx += 26 + SERVER_LABELS[server].length * 6;
    }
  });
  const targetY = legendTop + legendRows.length * 18 + 7;
  out.push(
    `<line x1="${left}" x2="${left + 18}" y1="${targetY}" y2="${targetY}" stroke="${colorOf("upie")}" stroke-dasharray="4 3"/>` +
      `<text x="${left + 24}" y="${targetY + 4}">a target of upie's (the colour of the form it is set for)</text>`,
  );
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
