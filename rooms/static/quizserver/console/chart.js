// Each team's score over time, from the contest's events, drawn as an inline SVG (step
// lines: a score changes at an instant and holds until the next change).

import { el } from "../common/ui.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 380;
const MARGIN = { top: 16, right: 20, bottom: 36, left: 64 };
// Bright enough on the dark panel (≥ 3:1 for graphics), told apart by dash pattern too.
const COLOURS = ["#ffd166", "#7cc4ff", "#5ee07e", "#ff8a8a", "#c9a0ff", "#ffa94d", "#63e6be", "#f783ac", "#e9ecef", "#a9e34b"];
const DASHES = ["", "8 4", "2 3", "12 4 2 4", "", "8 4", "2 3", "12 4 2 4", "4 4", ""];
export const MAX_LINES = 10;

// events: [{seq, type, at, data}] in any order → Map(team id → [{t, score}]).
export function scoreSeries(events, { starting, teams, endAt }) {
  const series = new Map();
  const push = (teamId, t, score) => {
    if (!series.has(teamId)) series.set(teamId, []);
    const points = series.get(teamId);
    const last = points.at(-1);
    if (last && last.t === t) last.score = score;
    else if (!last || last.score !== score) points.push({ t, score });
  };
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const d = event.data || {};
    const t = Date.parse(event.at);
    if (event.type === "team.joined") push(d.team.id, t, starting);
    else if (typeof d.score === "number" && typeof d.team === "number") push(d.team, t, d.score);
  }
  for (const team of teams) {
    if (!series.has(team.id)) continue;
    const points = series.get(team.id);
    if (points.at(-1).score !== team.score) points.push({ t: Math.max(endAt - 1, points.at(-1).t), score: team.score });
  }
  return series;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function niceStep(range, count) {
  const raw = range / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const unit = [1, 2, 5, 10].find((m) => m * power >= raw) || 10;
  return unit * power;
}

function timeLabel(ms, withSeconds = false) {
  const options = { hour: "2-digit", minute: "2-digit", ...(withSeconds ? { second: "2-digit" } : {}) };
  return new Date(ms).toLocaleTimeString([], options);
}

// teams: [{id, name, score}] sorted by rank; returns {figure} with the SVG and its legend.
export function scoreChart(series, teams, { startAt, endAt, title = "Score over time" }) {
  const shown = teams.filter((t) => series.has(t.id)).slice(0, MAX_LINES);
  if (!shown.length) return el("p", { class: "muted" }, "No scores to chart yet.");
  const all = shown.flatMap((t) => series.get(t.id));
  const t0 = Math.min(startAt ?? Infinity, ...all.map((p) => p.t));
  const t1 = Math.max(endAt, t0 + 60000);
  let lo = Math.min(0, ...all.map((p) => p.score));
  let hi = Math.max(...all.map((p) => p.score), lo + 10);
  const step = niceStep(hi - lo, 5);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t) => MARGIN.left + ((t - t0) / (t1 - t0)) * w;
  const y = (s) => MARGIN.top + h - ((s - lo) / (hi - lo || 1)) * h;

  const grid = [];
  for (let s = lo; s <= hi + 1e-9; s += step) {
    grid.push(svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(s), y2: y(s), class: "grid" }));
    grid.push(svg("text", { x: MARGIN.left - 8, y: y(s) + 4, "text-anchor": "end" }, String(Math.round(s))));
  }
  for (let i = 0; i <= 4; i += 1) {
    const t = t0 + ((t1 - t0) * i) / 4;
    grid.push(svg("text", { x: x(t), y: HEIGHT - 12, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, timeLabel(t, t1 - t0 < 600000)));
  }
  const lines = shown.map((team, i) => {
    const points = series.get(team.id);
    let d = `M${x(points[0].t).toFixed(1)},${y(points[0].score).toFixed(1)}`;
    for (const p of points.slice(1)) d += `H${x(p.t).toFixed(1)}V${y(p.score).toFixed(1)}`;
    d += `H${x(t1).toFixed(1)}`;
    return svg("path", { d, class: "series", stroke: COLOURS[i], "stroke-dasharray": DASHES[i] || null }, svg("title", {}, `${team.name}: ${team.score}`));
  });
  const leader = shown[0];
  const desc = `${shown.length} team${shown.length === 1 ? "" : "s"} from ${timeLabel(t0)} to ${timeLabel(t1)}. ${leader.name} leads with ${leader.score} points.`;
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-labelledby": "chart-title chart-desc", preserveAspectRatio: "xMidYMid meet" },
    svg("title", { id: "chart-title" }, title),
    svg("desc", { id: "chart-desc" }, desc),
    svg("line", { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + h, class: "axis" }),
    svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: MARGIN.top + h, y2: MARGIN.top + h, class: "axis" }),
    grid,
    lines,
  );
  const legend = el(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    shown.map((team, i) =>
      el(
        "li",
        {},
        svg("svg", { width: 36, height: 12, "aria-hidden": "true" }, svg("line", { x1: 0, x2: 36, y1: 6, y2: 6, stroke: COLOURS[i], "stroke-width": 3, "stroke-dasharray": DASHES[i] || null })),
        ` ${team.name} `,
        el("span", { class: "muted" }, String(team.score)),
      ),
    ),
  );
  return el("figure", { class: "chart-figure" }, chart, legend, teams.length > shown.length ? el("figcaption", { class: "muted" }, `The top ${shown.length} of ${teams.length} teams.`) : null);
}
