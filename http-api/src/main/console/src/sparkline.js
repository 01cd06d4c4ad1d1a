// A sparkline drawn as SVG elements (no inline styles, so the page's CSP needs no 'unsafe-inline').
const SVG = 'http://www.w3.org/2000/svg';

/** Draws {@code values} into {@code svg} (viewBox 300 × 60), scaled to the largest value. */
export function sparkline(svg, values, width = 300, height = 60) {
  // Scaled to the window's own peak (a lone mint is 0.1/s), so a small rate still shows as a rise.
  const max = Math.max(...values) > 0 ? Math.max(...values) : 1;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 4 - (v / max) * (height - 8)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  svg.replaceChildren(line);
  svg.dataset.points = String(values.length);
  svg.dataset.max = String(Math.max(0, ...values));
  svg.dataset.values = values.join(',');
}
