// The many-texts view's charts, drawn by uPlot (vendored into web/vendor/ at build time): the histogram of
// scores, and the shares of each label over time with the posts per period. Colours come from style.css's
// variables, so the charts follow light and dark and use the same colour-blind-safe scale as the tokens.
import uPlot from "./vendor/uPlot.esm.js";

const HEIGHT = 220;
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// A chart in `element` that draws what `build(colours)` makes of the data given to `draw`: `build` returns
// { options, data }. It follows the element's width and the colour scheme.
export class Chart {
  constructor(element, build) {
    this.element = element;
    this.build = build;
    this.plot = null;
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(element);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.redraw());
  }

  width() {
    return Math.max(200, this.element.clientWidth);
  }

  draw(input) {
    this.input = input;
    const { options, data } = this.build(input, colours());
    if (this.plot && this.plot.series.length === options.series.length) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.plot = new uPlot({ width: this.width(), height: HEIGHT, ...options }, data, this.element);
  }

  redraw() {
    this.plot?.destroy();
    this.plot = null;
    if (this.input) this.draw(this.input);
  }
}

function colours() {
  return { neg: css("--neg"), pos: css("--pos"), neu: css("--neu"), fg: css("--fg"), muted: css("--muted"),
    line: css("--line") };
}

const axis = (c, extra = {}) => ({ stroke: c.muted, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line },
  ...extra });
const bars = () => uPlot.paths.bars({ size: [0.9, 80] });

// The histogram of `summary.histogram`: bins below zero in the negative colour, above it in the positive one.
export function histogram({ histogram: { from, to, counts } }, c) {
  const width = (to - from) / counts.length;
  const centres = counts.map((_, k) => from + (k + 0.5) * width);
  const side = (negative) => counts.map((n, k) => ((centres[k] < 0) === negative ? n : null));
  return {
    options: {
      scales: { x: { time: false, range: [from, to] } },
      axes: [axis(c, { values: (_, ticks) => ticks.map((t) => t.toFixed(1)) }), axis(c, { size: 56 })],
      series: [
        { label: "score", value: (_, v) => (v === null ? "" : `${(v - width / 2).toFixed(1)} to ${(v + width / 2).toFixed(1)}`) },
        { label: "posts (negative scores)", fill: c.neg, stroke: c.neg, paths: bars(), points: { show: false } },
        { label: "posts (positive scores)", fill: c.pos, stroke: c.pos, paths: bars(), points: { show: false } },
      ],
    },
    data: [centres, side(true), side(false)],
  };
}

// `summary.periods` as lines, one per label (its share of the period's posts), over bars of the posts per period.
export function overTime({ summary, model }, c) {
  const { unit, periods } = summary.periods;
  const x = periods.map((p) => Date.parse(p.start.length === 10 ? `${p.start}T00:00Z` : p.start) / 1e3);
  const tone = (label) => (label === model.positiveLabel ? c.pos : label === model.negativeLabel ? c.neg : c.neu);
  const shares = model.labels.map((label) => ({
    label: `${label} share`, stroke: tone(label), width: 2, scale: "share",
    value: (_, v) => (v === null ? "" : `${(100 * v).toFixed(1)}%`),
  }));
  return {
    options: {
      // Periods are UTC hours, days and weeks: the axis says their UTC dates too.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      scales: { x: { time: true }, share: { range: [0, 1] }, posts: { range: (_, min, max) => [0, Math.max(1, max)] } },
      axes: [
        axis(c),
        axis(c, { scale: "share", size: 56, values: (_, ticks) => ticks.map((t) => `${Math.round(100 * t)}%`) }),
        axis(c, { scale: "posts", side: 1, size: 56, grid: { show: false } }),
      ],
      series: [
        { label: unit },
        // Translucent, behind the lines (a colour of style.css is #rrggbb, so two more hex digits are its alpha).
        { label: "posts", scale: "posts", fill: `${c.line}88`, stroke: c.line, paths: bars(), points: { show: false } },
        ...shares,
      ],
    },
    data: [
      x,
      periods.map((p) => p.texts),
      ...model.labels.map((label) => periods.map((p) => (p.texts === 0 ? null : p.shares[label]))),
    ],
  };
}
