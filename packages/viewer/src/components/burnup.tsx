import type { BurnPoint } from '../api';

const W = 640;
const H = 220;
const PAD = { left: 34, right: 12, top: 12, bottom: 24 };

/** Day index to x: one point alone stands at the right edge, where today is. */
function xOf(i: number, count: number): number {
  return count < 2 ? W - PAD.right : PAD.left + (i / (count - 1)) * (W - PAD.left - PAD.right);
}

function yOf(v: number, max: number): number {
  return H - PAD.bottom - (max ? (v / max) * (H - PAD.top - PAD.bottom) : 0);
}

function path(points: readonly BurnPoint[], value: (p: BurnPoint) => number, max: number): string {
  return points
    .map((p, i) => `${i ? 'L' : 'M'}${xOf(i, points.length).toFixed(1)},${yOf(value(p), max).toFixed(1)}`)
    .join(' ');
}

/**
 * Scope and done over time, one point a day. The SVG scales to its box (viewBox), so it never
 * widens the page on a phone; the last point's numbers are on the element (data-*) and in its
 * label for screen readers and tests alike.
 */
export function Burnup({ title, points }: { title: string; points: readonly BurnPoint[] }) {
  const last = points.at(-1);
  if (!last) return null;
  const max = Math.max(1, ...points.map((p) => p.scope));
  const label = `Burn-up of ${title}: ${last.done} of ${last.scope} done on ${last.day}, since ${points[0]?.day}`;
  return (
    <figure class="burnup">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={label}
        data-last-done={last.done}
        data-last-scope={last.scope}
        data-points={points.length}
      >
        <line class="burnup-axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <text class="burnup-tick" x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
          {max}
        </text>
        <text class="burnup-tick" x={PAD.left - 6} y={H - PAD.bottom} text-anchor="end">
          0
        </text>
        <text class="burnup-tick" x={PAD.left} y={H - 6}>
          {points[0]?.day}
        </text>
        <text class="burnup-tick" x={W - PAD.right} y={H - 6} text-anchor="end">
          {last.day}
        </text>
        <path class="burnup-scope" d={path(points, (p) => p.scope, max)} />
        <path class="burnup-done" d={path(points, (p) => p.done, max)} />
        {/* Today's values as dots: a line of one day (a scope started today) is otherwise invisible. */}
        <circle class="burnup-dot scope" cx={xOf(points.length - 1, points.length)} cy={yOf(last.scope, max)} r={4} />
        <circle class="burnup-dot done" cx={xOf(points.length - 1, points.length)} cy={yOf(last.done, max)} r={4} />
      </svg>
      <figcaption>
        <span class="burnup-key scope">Scope {last.scope}</span>
        <span class="burnup-key done">Done {last.done}</span>
      </figcaption>
    </figure>
  );
}
