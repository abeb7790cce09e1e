// @ts-check
// A small bar-and-line chart as inline SVG, for the manager dashboard. No chart library, nothing from
// another origin, and no style attributes (the CSP forbids them): only SVG presentation attributes.
// The SVG is a picture for sighted readers; callers put the same figures in a table next to it.
import { html } from './html.js';

/**
 * @typedef {object} Series
 * @property {string} label
 * @property {Array<number | null>} values  rates 0…1 for lines (null = no figure: the line breaks), counts for bars
 * @property {string} color
 * @property {'circle' | 'square'} [marker]  lines: told apart by marker and dash, not by colour alone
 * @property {string} [dash]  stroke-dasharray
 */

/**
 * @typedef {object} ChartSpec
 * @property {string} title           accessible name of the picture
 * @property {string[]} categories      x-axis labels (months), oldest first
 * @property {Series} bars              counts, on the left axis
 * @property {Series[]} lines           rates, on the right axis (0–100 %)
 * @property {(v: number) => string} [formatRate]
 */

const W = 720;
const H = 300;
const M = { top: 20, right: 56, bottom: 70, left: 48 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;
const AXIS = '#57606a';
const GRID = '#d8dee4';

/** The smallest "nice" number (1, 2, 5 × 10^k) ≥ max / steps, times steps. @param {number} max @param {number} steps */
export function niceMax(max, steps = 4) {
  if (!(max > 0)) return steps;
  const raw = max / steps;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * pow).find((s) => s >= raw) ?? 10 * pow;
  return Math.max(steps, Math.ceil(step) * steps);
}

/** @param {number} n */
const r1 = (n) => Math.round(n * 10) / 10;

/**
 * The line through the points that have a value; a null breaks it into segments.
 * @param {Array<{ x: number, y: number } | null>} points
 */
export function linePath(points) {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r1(p.x)} ${r1(p.y)} `;
    pen = true;
  }
  return d.trim();
}

/** @param {ChartSpec} spec */
export function barLineChart(spec) {
  const n = Math.max(1, spec.categories.length);
  const band = plotW / n;
  const barW = Math.min(44, band * 0.45);
  const countMax = niceMax(Math.max(0, ...spec.bars.values.map((v) => v ?? 0)));
  const fmt = spec.formatRate ?? ((v) => `${Math.round(v * 100)}%`);
  const cx = (/** @type {number} */ i) => M.left + band * i + band / 2;
  const yCount = (/** @type {number} */ v) => M.top + plotH - (v / countMax) * plotH;
  const yRate = (/** @type {number} */ v) => M.top + plotH - Math.min(1, Math.max(0, v)) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  const grid = ticks.map((k) => {
    const y = r1(M.top + plotH - k * plotH);
    return html`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y}" y2="${y}" stroke="${GRID}" stroke-width="1"></line>
      <text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="${AXIS}">${Math.round(k * countMax)}</text>
      <text x="${M.left + plotW + 6}" y="${y + 4}" text-anchor="start" font-size="11" fill="${AXIS}">${fmt(k)}</text>`;
  });

  const bars = spec.bars.values.map((v, i) => {
    const value = v ?? 0;
    const y = r1(yCount(value));
    return html`<rect class="chart-bar" data-value="${value}" x="${r1(cx(i) - barW / 2)}" y="${y}" width="${r1(barW)}" height="${r1(M.top + plotH - y)}" fill="${spec.bars.color}"></rect>
      <text x="${r1(cx(i))}" y="${y - 4}" text-anchor="middle" font-size="11" fill="#1f2328">${value}</text>`;
  });

  const lines = spec.lines.map((s) => {
    const points = s.values.map((v, i) => (v === null || v === undefined ? null : { x: cx(i), y: yRate(v) }));
    const markers = points.map((p) =>
      !p
        ? null
        : s.marker === 'square'
          ? html`<rect x="${r1(p.x - 4)}" y="${r1(p.y - 4)}" width="8" height="8" fill="${s.color}" stroke="#fff" stroke-width="1"></rect>`
          : html`<circle cx="${r1(p.x)}" cy="${r1(p.y)}" r="4.5" fill="${s.color}" stroke="#fff" stroke-width="1"></circle>`,
    );
    return html`<path d="${linePath(points)}" fill="none" stroke="${s.color}" stroke-width="2.5" ${s.dash ? html`stroke-dasharray="${s.dash}"` : ''}></path>${markers}`;
  });

  const xLabels = spec.categories.map(
    (c, i) =>
      html`<text x="${r1(cx(i))}" y="${M.top + plotH + 16}" text-anchor="middle" font-size="12" fill="#1f2328">${c}</text>`,
  );

  // Legend under the axis: bars, then each line with its marker and dash.
  const legendY = H - 22;
  const legendItems = [{ ...spec.bars, kind: 'bar' }, ...spec.lines.map((l) => ({ ...l, kind: 'line' }))];
  const slot = W / legendItems.length;
  const legend = legendItems.map((s, i) => {
    const x = r1(slot * i + 16);
    const swatch =
      s.kind === 'bar'
        ? html`<rect x="${x}" y="${legendY - 9}" width="14" height="12" fill="${s.color}"></rect>`
        : html`<line x1="${x - 4}" x2="${x + 18}" y1="${legendY - 3}" y2="${legendY - 3}" stroke="${s.color}" stroke-width="2.5" ${s.dash ? html`stroke-dasharray="${s.dash}"` : ''}></line>${
            s.marker === 'square'
              ? html`<rect x="${x + 3}" y="${legendY - 7}" width="8" height="8" fill="${s.color}"></rect>`
              : html`<circle cx="${x + 7}" cy="${legendY - 3}" r="4.5" fill="${s.color}"></circle>`
          }`;
    return html`${swatch}<text x="${x + 24}" y="${legendY + 1}" font-size="12" fill="#1f2328">${s.label}</text>`;
  });

  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${spec.title}" xmlns="http://www.w3.org/2000/svg">
    <title>${spec.title}</title>
    <g aria-hidden="true">
      ${grid}
      <line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="${AXIS}" stroke-width="1"></line>
      <line x1="${M.left + plotW}" x2="${M.left + plotW}" y1="${M.top}" y2="${M.top + plotH}" stroke="${AXIS}" stroke-width="1"></line>
      <line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="${AXIS}" stroke-width="1"></line>
      ${bars}
      ${lines}
      ${xLabels}
      ${legend}
    </g>
  </svg>`;
}
