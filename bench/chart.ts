/**
 * npm run bench:chart — the pgvector benchmark's results (bench/results/pgvector-*.json) as one PNG,
 * bench/results/pgvector.png, that the README shows: bulk insert rows/s and search p50 per system, one panel
 * per engine and size. Vega-Lite draws the SVG; resvg renders it with the DejaVu font from npm, so the picture is
 * the same on every machine.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

interface Result {
  engine: string;
  n: number;
  systems: Record<string, { bulkRowsPerSecond: number; unfiltered?: { p50: number }; filtered?: { p50: number } }>;
}

const dir = new URL('./results', import.meta.url);
const files = (await readdir(dir)).filter((name) => /^pgvector-.*\.json$/.test(name)).sort();
if (files.length === 0) throw new Error('no bench/results/pgvector-*.json: run npm run bench:pgvector first');
const results = await Promise.all(files.map(async (name) => JSON.parse(await readFile(new URL(name, dir), 'utf8')) as Result));
const rows = results.flatMap((result) =>
  Object.entries(result.systems).flatMap(([system, figures]) => {
    const run = `${result.engine.replace(/ \(.*\)| over pglite-socket/g, '')}, ${result.n.toLocaleString('en')} rows`;
    return [
      { run, system, measure: 'bulk insert, rows/s', value: figures.bulkRowsPerSecond },
      ...(figures.unfiltered ? [{ run, system, measure: 'search p50 unfiltered, ms', value: figures.unfiltered.p50 }] : []),
      ...(figures.filtered ? [{ run, system, measure: 'search p50 at a 2% filter, ms', value: figures.filtered.p50 }] : []),
    ];
  }),
);

const spec: vegaLite.TopLevelSpec = {
  data: { values: rows },
  config: { font: 'DejaVu Sans', background: 'white' },
  facet: {
    row: { field: 'run', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 } },
    column: { field: 'measure', title: null },
  },
  spec: {
    width: 260,
    height: 90,
    mark: 'bar',
    encoding: {
      y: { field: 'system', type: 'nominal', title: null, axis: { labelLimit: 240 } },
      x: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'system', type: 'nominal', legend: null },
    },
  },
  resolve: { scale: { x: 'independent' } },
};
const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
const svg = await view.toSVG();
const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const png = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [path.join(fonts, 'DejaVuSans.ttf')], defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
await writeFile(new URL('pgvector.png', dir), png);
console.log(`bench/results/pgvector.png: ${files.join(', ')}`);
