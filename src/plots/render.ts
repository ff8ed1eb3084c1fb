/** Headless rendering of vega-lite specs to SVG and PNG (vega 5 + vega-lite 5 + resvg; no browser, no canvas). */
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';

export const FONT = 'DejaVu Sans';

/** Compiles a vega-lite spec and renders it to an SVG string. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const withFont = { ...spec, config: { font: FONT, ...(spec as { config?: object }).config } } as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(withFont).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Rasterises an SVG at `zoom` (default 2) on a white background. */
export function svgToPng(svg: string, zoom = 2): Buffer {
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
  })
    .render()
    .asPng();
}

/** Writes <base>.svg and <base>.png (and <base>.vl.json, the spec itself); returns the paths. */
export async function writePlot(
  base: string,
  spec: vl.TopLevelSpec,
): Promise<{ svg: string; png: string; spec: string }> {
  mkdirSync(dirname(base), { recursive: true });
  const svg = await renderSvg(spec);
  const paths = { svg: `${base}.svg`, png: `${base}.png`, spec: `${base}.vl.json` };
  writeFileSync(paths.svg, svg);
  writeFileSync(paths.png, svgToPng(svg));
  writeFileSync(paths.spec, JSON.stringify(spec, null, 1));
  return paths;
}
