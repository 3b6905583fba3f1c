// The graph view's pan and zoom arithmetic (packages/viewer/src/views/graph/pan-zoom.ts).
import { describe, expect, it } from 'vitest';
import { fitView, MAX_ZOOM, panBy, zoomAt } from '../../../viewer/src/views/graph/pan-zoom.js';

describe('pan and zoom', () => {
  it('keeps the graph point under the pointer where it was', () => {
    const before = { x: 40, y: -20, k: 0.5 };
    const after = zoomAt(before, 2, 300, 200);
    const graphX = (300 - before.x) / before.k;
    const graphY = (200 - before.y) / before.k;
    expect(graphX * after.k + after.x).toBeCloseTo(300);
    expect(graphY * after.k + after.y).toBeCloseTo(200);
    expect(zoomAt(after, 1000, 0, 0).k).toBe(MAX_ZOOM);
  });

  it('pans by the pointer movement', () => {
    expect(panBy({ x: 1, y: 2, k: 3 }, 10, -5)).toEqual({ x: 11, y: -3, k: 3 });
  });

  it('fits a large drawing, centred, and never enlarges a small one', () => {
    const big = fitView(2000, 500, 1000, 500);
    expect(big.k).toBe(0.5);
    expect(big.y).toBeCloseTo(125);
    expect(fitView(100, 50, 1000, 500)).toEqual({ k: 1, x: 450, y: 225 });
  });
});
