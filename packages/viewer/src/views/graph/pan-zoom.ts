// Pan and zoom as plain arithmetic on a view transform, kept apart from the component so the
// rule "the point under the pointer stays under the pointer" is testable without a browser.

/** Screen = graph × k + (x, y). */
export interface View {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 4;

const clamp = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** Zooms by `factor` about a screen point (the wheel's pointer), which keeps its graph point. */
export function zoomAt(view: View, factor: number, screenX: number, screenY: number): View {
  const k = clamp(view.k * factor);
  const ratio = k / view.k;
  return { k, x: screenX - (screenX - view.x) * ratio, y: screenY - (screenY - view.y) * ratio };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

/** The whole drawing inside the viewport, centred, never enlarged past 1:1 (text stays crisp). */
export function fitView(graphWidth: number, graphHeight: number, viewWidth: number, viewHeight: number): View {
  if (graphWidth <= 0 || graphHeight <= 0 || viewWidth <= 0 || viewHeight <= 0) return { x: 0, y: 0, k: 1 };
  const k = clamp(Math.min(1, viewWidth / graphWidth, viewHeight / graphHeight));
  return { k, x: (viewWidth - graphWidth * k) / 2, y: (viewHeight - graphHeight * k) / 2 };
}
