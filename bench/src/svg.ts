/** Plain SVG charts, written as text (no chart library): grouped bars and simple lines. */

const font = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'";

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A round axis maximum and tick step for values up to `max`. */
function niceScale(max: number, ticks = 5): { top: number; step: number } {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return { top: Math.ceil(max / step) * step, step };
}

export interface Series {
  name: string;
  color: string;
}

export interface BarPanel {
  title: string;
  groups: string[];
  /** values[group][series]; NaN leaves a gap. */
  values: number[][];
}

export interface BarChart {
  title: string;
  subtitle: string;
  yLabel: string;
  series: Series[];
  panels: BarPanel[];
  format: (value: number) => string;
  /** Horizontal reference lines, e.g. a target. */
  references?: { value: number; label: string }[];
}

/** Vertical grouped bars, one panel under another, sharing the legend and the y scale. */
export function groupedBars(chart: BarChart): string {
  const width = 920;
  const panelHeight = 250;
  const top = 64;
  const left = 64;
  const right = 16;
  const panelGap = 58;
  const legendHeight = 30;
  const height = top + chart.panels.length * (panelHeight + panelGap) + legendHeight;
  const maxValue = Math.max(...chart.panels.flatMap((p) => p.values.flat()).filter(Number.isFinite), ...(chart.references ?? []).map((r) => r.value));
  const { top: yTop, step } = niceScale(maxValue * 1.08);
  const out: string[] = [];
  out.push(`<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}' viewBox='0 0 ${width} ${height}' ${font} font-size='12'>`);
  out.push(`<rect width='100%' height='100%' fill='white'/>`);
  out.push(`<text x='${left}' y='24' font-size='17' font-weight='600'>${escape(chart.title)}</text>`);
  out.push(`<text x='${left}' y='44' fill='#555'>${escape(chart.subtitle)}</text>`);
  chart.panels.forEach((panel, p) => {
    const y0 = top + p * (panelHeight + panelGap) + 20;
    const plotHeight = panelHeight - 40;
    const plotWidth = width - left - right;
    const y = (v: number) => y0 + plotHeight - (v / yTop) * plotHeight;
    out.push(`<text x='${left}' y='${y0 - 8}' font-size='13' font-weight='600'>${escape(panel.title)}</text>`);
    for (let v = 0; v <= yTop + 1e-9; v += step) {
      out.push(`<line x1='${left}' x2='${width - right}' y1='${y(v).toFixed(1)}' y2='${y(v).toFixed(1)}' stroke='#e5e5e5'/>`);
      out.push(`<text x='${left - 6}' y='${(y(v) + 4).toFixed(1)}' text-anchor='end' fill='#555'>${escape(chart.format(v))}</text>`);
    }
    out.push(`<text transform='translate(${16},${(y0 + plotHeight / 2).toFixed(1)}) rotate(-90)' text-anchor='middle' fill='#555'>${escape(chart.yLabel)}</text>`);
    const groupWidth = plotWidth / panel.groups.length;
    const barWidth = Math.min(26, (groupWidth * 0.8) / chart.series.length);
    panel.groups.forEach((group, g) => {
      const gx = left + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
      chart.series.forEach((series, s) => {
        const value = panel.values[g]?.[s] ?? Number.NaN;
        if (!Number.isFinite(value)) return;
        const x = gx + s * barWidth;
        out.push(`<rect x='${x.toFixed(1)}' y='${y(value).toFixed(1)}' width='${(barWidth - 2).toFixed(1)}' height='${(y(0) - y(value)).toFixed(1)}' fill='${series.color}'><title>${escape(`${group}, ${series.name}: ${chart.format(value)}`)}</title></rect>`);
        out.push(`<text x='${(x + (barWidth - 2) / 2).toFixed(1)}' y='${(y(value) - 3).toFixed(1)}' text-anchor='middle' font-size='9' fill='#333'>${escape(chart.format(value))}</text>`);
      });
      out.push(`<text x='${(left + g * groupWidth + groupWidth / 2).toFixed(1)}' y='${(y0 + plotHeight + 16).toFixed(1)}' text-anchor='middle'>${escape(group)}</text>`);
    });
    for (const ref of chart.references ?? []) {
      out.push(`<line x1='${left}' x2='${width - right}' y1='${y(ref.value).toFixed(1)}' y2='${y(ref.value).toFixed(1)}' stroke='#c0392b' stroke-dasharray='5,4'/>`);
      out.push(`<text x='${width - right - 4}' y='${(y(ref.value) - 4).toFixed(1)}' text-anchor='end' fill='#c0392b'>${escape(ref.label)}</text>`);
    }
    out.push(`<line x1='${left}' x2='${width - right}' y1='${y(0)}' y2='${y(0)}' stroke='#333'/>`);
  });
  let lx = left;
  const ly = height - 14;
  for (const series of chart.series) {
    out.push(`<rect x='${lx}' y='${ly - 10}' width='12' height='12' fill='${series.color}'/>`);
    out.push(`<text x='${lx + 16}' y='${ly}'>${escape(series.name)}</text>`);
    lx += 30 + series.name.length * 7.2;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

export interface LineChart {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  lines: { name: string; color: string; points: [number, number][] }[];
  formatY: (value: number) => string;
}

export function lines(chart: LineChart): string {
  const width = 920;
  const height = 360;
  const left = 64;
  const right = 150;
  const top = 64;
  const bottom = 48;
  const xs = chart.lines.flatMap((l) => l.points.map((p) => p[0]));
  const ys = chart.lines.flatMap((l) => l.points.map((p) => p[1]));
  const xScale = niceScale(Math.max(...xs));
  const yScale = niceScale(Math.max(...ys) * 1.05);
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const x = (v: number) => left + (v / xScale.top) * plotWidth;
  const y = (v: number) => top + plotHeight - (v / yScale.top) * plotHeight;
  const out: string[] = [];
  out.push(`<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}' viewBox='0 0 ${width} ${height}' ${font} font-size='12'>`);
  out.push(`<rect width='100%' height='100%' fill='white'/>`);
  out.push(`<text x='${left}' y='24' font-size='17' font-weight='600'>${escape(chart.title)}</text>`);
  out.push(`<text x='${left}' y='44' fill='#555'>${escape(chart.subtitle)}</text>`);
  for (let v = 0; v <= yScale.top + 1e-9; v += yScale.step) {
    out.push(`<line x1='${left}' x2='${left + plotWidth}' y1='${y(v).toFixed(1)}' y2='${y(v).toFixed(1)}' stroke='#e5e5e5'/>`);
    out.push(`<text x='${left - 6}' y='${(y(v) + 4).toFixed(1)}' text-anchor='end' fill='#555'>${escape(chart.formatY(v))}</text>`);
  }
  for (let v = 0; v <= xScale.top + 1e-9; v += xScale.step) {
    out.push(`<text x='${x(v).toFixed(1)}' y='${top + plotHeight + 16}' text-anchor='middle' fill='#555'>${v}</text>`);
  }
  out.push(`<text x='${left + plotWidth / 2}' y='${height - 10}' text-anchor='middle' fill='#555'>${escape(chart.xLabel)}</text>`);
  out.push(`<text transform='translate(16,${top + plotHeight / 2}) rotate(-90)' text-anchor='middle' fill='#555'>${escape(chart.yLabel)}</text>`);
  out.push(`<line x1='${left}' x2='${left + plotWidth}' y1='${y(0)}' y2='${y(0)}' stroke='#333'/>`);
  chart.lines.forEach((line, i) => {
    const path = line.points.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    out.push(`<path d='${path}' fill='none' stroke='${line.color}' stroke-width='2'/>`);
    const last = line.points.at(-1);
    if (last) out.push(`<text x='${(x(last[0]) + 6).toFixed(1)}' y='${(y(last[1]) + 4 + i * 2).toFixed(1)}' fill='${line.color}'>${escape(`${line.name}: ${chart.formatY(last[1])}`)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

export interface StackedChart {
  title: string;
  subtitle: string;
  series: Series[];
  /** One horizontal bar per row; values[series]. Rows with a group name start a new group. */
  rows: { group?: string; label: string; values: number[] }[];
  /** What the bar lengths count, under the axis. */
  xLabel: string;
}

/** Horizontal stacked bars, each row scaled to its own total (shares), with the counts written in. */
export function stackedBars(chart: StackedChart): string {
  const width = 920;
  const left = 300;
  const right = 70;
  const top = 64;
  const barHeight = 22;
  const rowGap = 10;
  const groupGap = 26;
  const plotWidth = width - left - right;
  const groups = chart.rows.filter((r) => r.group).length;
  const height = top + chart.rows.length * (barHeight + rowGap) + groups * groupGap + 70;
  const out: string[] = [];
  out.push(`<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}' viewBox='0 0 ${width} ${height}' ${font} font-size='12'>`);
  out.push(`<rect width='100%' height='100%' fill='white'/>`);
  out.push(`<text x='16' y='24' font-size='17' font-weight='600'>${escape(chart.title)}</text>`);
  out.push(`<text x='16' y='44' fill='#555'>${escape(chart.subtitle)}</text>`);
  let y = top;
  for (const row of chart.rows) {
    if (row.group) {
      y += groupGap;
      out.push(`<text x='16' y='${y - 8}' font-size='13' font-weight='600'>${escape(row.group)}</text>`);
    }
    const total = row.values.reduce((a, b) => a + b, 0);
    out.push(`<text x='${left - 8}' y='${y + barHeight / 2 + 4}' text-anchor='end'>${escape(row.label)}</text>`);
    let x = left;
    const outside: { text: string; color: string }[] = [];
    row.values.forEach((value, s) => {
      if (!(value > 0) || !(total > 0)) return;
      const w = (value / total) * plotWidth;
      const series = chart.series[s]!;
      out.push(`<rect x='${x.toFixed(1)}' y='${y}' width='${w.toFixed(1)}' height='${barHeight}' fill='${series.color}'><title>${escape(`${row.label}, ${series.name}: ${value} of ${total}`)}</title></rect>`);
      const text = String(value);
      if (w > text.length * 7 + 6) out.push(`<text x='${(x + w / 2).toFixed(1)}' y='${y + barHeight / 2 + 4}' text-anchor='middle' fill='white' font-weight='600'>${text}</text>`);
      else outside.push({ text, color: series.color });
      x += w;
    });
    // Counts of segments too narrow to hold them, after the bar, in their segment's colour.
    let ox = left + plotWidth + 6;
    for (const o of outside) {
      out.push(`<text x='${ox.toFixed(1)}' y='${y + barHeight / 2 + 4}' font-weight='600' fill='${o.color}'>${o.text}</text>`);
      ox += o.text.length * 7 + 8;
    }
    y += barHeight + rowGap;
  }
  out.push(`<text x='${left}' y='${y + 8}' fill='#555'>${escape(chart.xLabel)}</text>`);
  let lx = left;
  const ly = y + 36;
  for (const series of chart.series) {
    out.push(`<rect x='${lx}' y='${ly - 10}' width='12' height='12' fill='${series.color}'/>`);
    out.push(`<text x='${lx + 16}' y='${ly}'>${escape(series.name)}</text>`);
    lx += 30 + series.name.length * 7.2;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
