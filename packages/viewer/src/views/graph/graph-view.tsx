// The dependency graph drawn as SVG: nodes coloured by status, ready items marked, the critical
// path highlighted and its length said, pan (drag) and zoom (wheel, buttons), and a click or
// Enter on a node opens it. It takes a finished layout: laying out 500 nodes takes long enough
// that graph-pane.tsx has it done once per change, in a worker.
import './graph.css';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GraphLayout, PlacedEdge, PlacedNode } from './graph-layout.js';
import { fitView, panBy, type View, zoomAt } from './pan-zoom.js';

export interface GraphViewProps {
  layout: GraphLayout;
  /** Blocker first, as buildGraph returns it. */
  criticalPath: readonly string[];
  onOpen: (id: string) => void;
  /** Said first in the toolbar (what is drawn: counts, what is hidden). */
  caption?: ComponentChildren;
}

export function GraphView({ layout, criticalPath, onOpen, caption }: GraphViewProps) {
  const canvas = useRef<SVGSVGElement>(null);
  // The SVG fills what its container leaves it; measured, not assumed, so Fit fits a phone too.
  const size = () => ({ width: canvas.current?.clientWidth ?? 960, height: canvas.current?.clientHeight ?? 600 });
  const fit = () => fitView(layout.width, layout.height, size().width, size().height);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const drag = useRef<{ x: number; y: number } | undefined>(undefined);
  // Fit once, when first drawn; later layouts (live changes) keep the reader's pan and zoom.
  useLayoutEffect(() => setView(fit()), []);

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const box = (event.currentTarget as SVGElement).getBoundingClientRect();
    setView((v) => zoomAt(v, event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top));
  };
  const onPointerDown = (event: PointerEvent) => {
    if ((event.target as Element).closest('.graph-node')) return; // a click on a node opens it
    drag.current = { x: event.clientX, y: event.clientY };
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    const from = drag.current;
    if (!from) return;
    drag.current = { x: event.clientX, y: event.clientY };
    setView((v) => panBy(v, event.clientX - from.x, event.clientY - from.y));
  };
  const endDrag = () => {
    drag.current = undefined;
  };
  const zoomCentre = (factor: number) => setView((v) => zoomAt(v, factor, size().width / 2, size().height / 2));

  return (
    <div class="graph-view">
      <Toolbar
        caption={caption}
        criticalLength={criticalPath.length}
        onZoom={zoomCentre}
        onFit={() => setView(fit())}
      />
      <svg
        ref={canvas}
        class="graph-canvas"
        role="img"
        aria-label={`Dependency graph: ${layout.nodes.length} items, ${layout.edges.length} dependencies`}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
      >
        <defs>
          <marker
            id="graph-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="graph-arrowhead" />
          </marker>
          <marker
            id="graph-arrow-critical"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="12"
            markerHeight="12"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="graph-arrowhead critical" />
          </marker>
        </defs>
        <g transform={`translate(${view.x} ${view.y}) scale(${view.k})`}>
          {layout.containment.map((link) => (
            <line
              key={`c-${link.to}`}
              class="graph-containment"
              x1={link.points[0].x}
              y1={link.points[0].y}
              x2={link.points[1].x}
              y2={link.points[1].y}
            />
          ))}
          {layout.edges.map((edge) => (
            <Arrow key={`${edge.from}>${edge.to}`} edge={edge} />
          ))}
          {layout.nodes.map((node) => (
            <Node key={node.id} node={node} onOpen={onOpen} />
          ))}
        </g>
      </svg>
    </div>
  );
}

interface ToolbarProps {
  caption?: ComponentChildren;
  criticalLength: number;
  onZoom: (factor: number) => void;
  onFit: () => void;
}

function Toolbar(props: ToolbarProps) {
  const { criticalLength: n } = props;
  return (
    <div class="graph-toolbar">
      {props.caption}
      <span class="graph-critical" data-testid="critical-length">
        {n > 0 ? `Critical path: ${n} unfinished item${n === 1 ? '' : 's'}` : 'Nothing left to wait on'}
      </span>
      <button type="button" onClick={() => props.onZoom(1.25)} aria-label="Zoom in">
        +
      </button>
      <button type="button" onClick={() => props.onZoom(0.8)} aria-label="Zoom out">
        −
      </button>
      <button type="button" onClick={props.onFit}>
        Fit
      </button>
      <Legend />
    </div>
  );
}

const LEGEND: readonly [string, string][] = [
  ['s-open', 'Open'],
  ['s-in_progress', 'In progress'],
  ['s-blocked', 'Blocked'],
  ['s-done', 'Done'],
  ['ready', 'Ready to pick'],
  ['critical', 'Critical path'],
];

/** What the colours and strokes mean; the dashed line is containment (parent or epic). */
function Legend() {
  return (
    <ul class="graph-legend" aria-label="Legend">
      {LEGEND.map(([key, label]) => (
        <li key={key}>
          <span class={`graph-swatch ${key}`} aria-hidden="true" />
          {label}
        </li>
      ))}
      <li>
        <span class="graph-swatch contains" aria-hidden="true" />
        Contains
      </li>
    </ul>
  );
}

function Arrow({ edge }: { edge: PlacedEdge }) {
  const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  return (
    <path
      class={`graph-edge${edge.critical ? ' critical' : ''}`}
      d={d}
      data-from={edge.from}
      data-to={edge.to}
      marker-end={`url(#${edge.critical ? 'graph-arrow-critical' : 'graph-arrow'})`}
    />
  );
}

function Node({ node, onOpen }: { node: PlacedNode; onOpen: (id: string) => void }) {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  const classes = [
    'graph-node',
    `s-${node.status}`,
    node.ready && 'ready',
    node.onCriticalPath && 'critical',
    node.isGroup && 'group',
  ]
    .filter(Boolean)
    .join(' ');
  const title = node.title.length > 24 ? `${node.title.slice(0, 23)}…` : node.title;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role and key handling stand in.
    <g
      class={classes}
      data-id={node.id}
      role="button"
      // Lower-case: on an SVG element Preact sets the attribute by name, and only `tabindex` makes it focusable.
      tabindex={0}
      aria-label={`${node.id} ${node.title}, ${node.status.replace('_', ' ')}${node.ready ? ', ready' : ''}`}
      onClick={() => onOpen(node.id)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onOpen(node.id);
        }
      }}
    >
      <rect x={left} y={top} width={node.width} height={node.height} rx={6} />
      <text x={left + 10} y={top + 16} class="graph-node-id">
        {node.id}
        {node.ready ? ' · ready' : ''}
      </text>
      <text x={left + 10} y={top + 31} class="graph-node-title">
        {title}
      </text>
    </g>
  );
}
