/**
 * A horizontal bar chart of the ratios ours/rclone as a self-contained SVG (no dependency): a log axis centred
 * on 1, one bar per metric from 1 to its ratio, green when its target passes, red when it fails, grey when the
 * metric has no target. Ratios outside [0.01, 100] are drawn at the edge and labelled with their value.
 */
import type { ItemResult } from './types.ts';

const W = 1100;
const LABEL_W = 380;
const ROW = 26;
const TOP = 70;
const MIN = 0.01;
const MAX = 100;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmtRatio(r: number): string {
  if (r === 0) return '0×';
  return `${r >= 10 ? r.toFixed(1) : r.toPrecision(3)}×`;
}

/** The SVG text of the chart for the items' metrics that have a ratio. */
export function ratioChart(items: ItemResult[], subtitle: string): string {
  const rows = items.flatMap((it) => it.metrics.filter((m) => m.ratio !== null).map((m) => ({ it, m, ratio: m.ratio! })));
  const plotW = W - LABEL_W - 250;
  const x = (r: number) => LABEL_W + ((Math.log10(Math.min(MAX, Math.max(MIN, r))) - Math.log10(MIN)) / (Math.log10(MAX) - Math.log10(MIN))) * plotW;
  const height = TOP + rows.length * ROW + 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold">fichier-dav / rclone serve webdav (ratio ours ÷ rclone, log scale)</text>`,
    `<text x="16" y="44" fill="#555">${esc(subtitle)}</text>`,
  ];
  for (const t of [0.01, 0.1, 0.5, 1, 2, 10, 100]) {
    const gx = x(t).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${TOP - 8}" x2="${gx}" y2="${TOP + rows.length * ROW}" stroke="${t === 1 ? '#000' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${gx}" y="${TOP + rows.length * ROW + 16}" text-anchor="middle" fill="#555">${t}×</text>`);
  }
  rows.forEach(({ it, m, ratio }, i) => {
    const y = TOP + i * ROW;
    const x1 = x(1);
    const x2 = x(ratio);
    const colour = m.verdict === 'PASS' ? '#2e7d32' : m.verdict === 'FAIL' ? '#c62828' : '#9e9e9e';
    const better = m.better === 'lower' ? 'lower is better' : 'higher is better';
    parts.push(`<text x="${LABEL_W - 8}" y="${y + 16}" text-anchor="end">${esc(`${it.id} ${m.name}`)} <tspan fill="#777">(${better})</tspan></text>`);
    parts.push(`<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y + 5}" width="${Math.max(1, Math.abs(x2 - x1)).toFixed(1)}" height="${ROW - 10}" fill="${colour}"/>`);
    const label = `${fmtRatio(ratio)}${m.verdict ? ` ${m.verdict}` : ''}`;
    const target = m.target ? `<tspan dx="6" fill="#777">(target: ${esc(m.target)})</tspan>` : '';
    parts.push(`<text x="${(Math.max(x1, x2) + 6).toFixed(1)}" y="${y + 16}" fill="${colour}">${esc(label)}${target}</text>`);
  });
  parts.push(`<text x="16" y="${height - 10}" fill="#555">green: target met, red: target missed, grey: no target (shown for information)</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
