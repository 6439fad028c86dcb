/**
 * The tenant report's trend: open findings after each of the last runs, as an inline SVG line chart
 * drawn on the server (no script, no external asset). Colours come from classes in TREND_CSS, not
 * style attributes, so the CSP's style hashes still cover the page and dark mode follows the theme.
 */
import type { TrendPoint } from "../model/summary.js";
import { html, type SafeHtml } from "./html.js";
import { formatStoredInstant } from "./instant.js";

const WIDTH = 640;
const HEIGHT = 220;
/** Room for the value labels on the left and the date labels below. */
const PLOT = { left: 44, right: 16, top: 14, bottom: 44 } as const;
const PLOT_WIDTH = WIDTH - PLOT.left - PLOT.right;
const PLOT_HEIGHT = HEIGHT - PLOT.top - PLOT.bottom;
const BASELINE_Y = PLOT.top + PLOT_HEIGHT;

export const TREND_CSS = `
.trend{display:block;width:100%;max-width:${WIDTH}px;height:auto}
.trend .line{fill:none;stroke:var(--info);stroke-width:2.5}
.trend .point{fill:var(--info)}
.trend .axis{stroke:var(--muted);stroke-width:1}
.trend .grid-line{stroke:var(--line);stroke-width:1}
.trend text{fill:var(--muted);font-size:12px}
`;

interface Plotted {
  readonly x: number;
  readonly y: number;
  readonly point: TrendPoint;
}

export function trendChart(trend: readonly TrendPoint[]): SafeHtml {
  const [first] = trend;
  const last = trend.at(-1);
  if (!first || !last) return html`<p class="muted">No run has judged the tenant yet.</p>`;
  const top = Math.max(1, ...trend.map((p) => p.open));
  const plotted = trend.map((point, i) => ({ point, x: xOf(i, trend.length), y: yOf(point.open, top) }));
  return html`<svg class="trend" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Open findings after each of the last ${trend.length} runs" xmlns="http://www.w3.org/2000/svg">
<title>Open findings per run</title>
<desc>${describe(trend, first, last)}</desc>
${valueAxis(top)}
<line class="axis" x1="${PLOT.left}" y1="${BASELINE_Y}" x2="${WIDTH - PLOT.right}" y2="${BASELINE_Y}"/>
<text x="${PLOT.left}" y="${HEIGHT - 22}">${formatStoredInstant(first.asOf)}</text>
${trend.length > 1 ? html`<text x="${WIDTH - PLOT.right}" y="${HEIGHT - 22}" text-anchor="end">${formatStoredInstant(last.asOf)}</text>` : null}
<text x="${PLOT.left + PLOT_WIDTH / 2}" y="${HEIGHT - 4}" text-anchor="middle">Runs, oldest to newest</text>
<polyline class="line" points="${plotted.map((p) => `${p.x},${p.y}`).join(" ")}"/>
${plotted.map(pointMark)}
</svg>`;
}

/** The left axis: 0, the top value, and the middle when it is a whole number, each with a grid line. */
function valueAxis(top: number): SafeHtml {
  const ticks = top % 2 === 0 ? [0, top / 2, top] : [0, top];
  return html`<line class="axis" x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${BASELINE_Y}"/>
${ticks.map(
  (value) => html`<line class="grid-line" x1="${PLOT.left}" y1="${yOf(value, top)}" x2="${WIDTH - PLOT.right}" y2="${yOf(value, top)}"/>
<text x="${PLOT.left - 6}" y="${yOf(value, top) + 4}" text-anchor="end">${value}</text>`,
)}
<text transform="rotate(-90)" x="${-(PLOT.top + PLOT_HEIGHT / 2)}" y="12" text-anchor="middle">Open findings</text>`;
}

function pointMark({ x, y, point }: Plotted): SafeHtml {
  return html`<circle class="point" cx="${x}" cy="${y}" r="3.5"><title>${formatStoredInstant(point.asOf)}: ${point.open} open</title></circle>`;
}

/** A single point sits in the middle rather than on the axis. */
function xOf(index: number, count: number): number {
  return round(count === 1 ? PLOT.left + PLOT_WIDTH / 2 : PLOT.left + (index * PLOT_WIDTH) / (count - 1));
}

function yOf(value: number, top: number): number {
  return round(BASELINE_Y - (value * PLOT_HEIGHT) / top);
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** The chart in words, for screen readers and for anyone who cannot see the line. */
function describe(trend: readonly TrendPoint[], first: TrendPoint, last: TrendPoint): string {
  const highest = Math.max(...trend.map((p) => p.open));
  if (trend.length === 1) return `One run so far: ${last.open} open findings on ${formatStoredInstant(last.asOf)}.`;
  return (
    `${trend.length} runs: ${first.open} open findings on ${formatStoredInstant(first.asOf)}, ` +
    `${last.open} on ${formatStoredInstant(last.asOf)}; at most ${highest}.`
  );
}
