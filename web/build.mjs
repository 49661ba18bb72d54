// Builds the web pages into dist/web: one bundled script and one stylesheet per page, named by content hash,
// each also written gzip- and brotli-compressed, and manifest.json (each file with the page it belongs to),
// which src/http/web-assets.ts reads: the environments serve the calculator, the controller the dashboard.
// A page is one entry in PAGES; what pages share lives in web/shared/ (bundled into each).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'web');

/**
 * Each page: where it is served, where its assets go, its HTML template, its script entry (which imports its
 * CSS). The dashboard lives under /deploy/ because the router sends only that prefix to the controller.
 */
const PAGES = [
  { name: 'calculator', path: '/', assets: '/assets/', html: 'web/calculator/index.html', entry: 'web/calculator/main.ts' },
  { name: 'dashboard', path: '/deploy/', assets: '/deploy/assets/', html: 'web/dashboard/index.html', entry: 'web/dashboard/main.ts' },
];

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

const started = performance.now();
await rm(OUT, { recursive: true, force: true });
const files = [];

async function emit(page, urlPath, body, cache) {
  const ext = urlPath.endsWith('/') ? '.html' : urlPath.slice(urlPath.lastIndexOf('.'));
  const file = urlPath.endsWith('/') ? `${urlPath.slice(1)}index.html` : urlPath.slice(1);
  const target = join(OUT, file);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, body);
  await writeFile(`${target}.gz`, gzipSync(body, { level: 9 }));
  await writeFile(`${target}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  files.push({
    page,
    path: urlPath,
    file,
    type: TYPES[ext],
    cache,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
  });
}

for (const page of PAGES) {
  const result = await build({
    entryPoints: [join(ROOT, page.entry)],
    bundle: true,
    splitting: true, // what a page imports lazily (the chart library) is its own file, fetched after the first render
    minify: true,
    format: 'esm',
    target: ['chrome111', 'firefox111', 'safari16'],
    write: false,
    metafile: true,
    outdir: join(OUT, page.assets),
    entryNames: `${page.name}-[hash]`,
    chunkNames: `${page.name}-chunk-[hash]`,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const base = (path) => path.slice(path.lastIndexOf('/') + 1);
  const [entryOut, meta] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === page.entry);
  const names = { js: base(entryOut), css: base(meta.cssBundle ?? '') };
  for (const out of result.outputFiles) {
    // The page's stylesheet already holds the CSS of its lazy chunks; esbuild's copies of it are not needed.
    if (out.path.endsWith('.css') && base(out.path) !== names.css) continue;
    // Hashed names never change content: clients may keep them for a year.
    await emit(page.name, `${page.assets}${base(out.path)}`, Buffer.from(out.contents), 'public, max-age=31536000, immutable');
  }
  const template = await readFile(join(ROOT, page.html), 'utf8');
  // Chunks the entry imports statically would otherwise be found only once it runs: one round trip more.
  const preloads = meta.imports
    .filter((i) => i.kind === 'import-statement')
    .map((i) => `<link rel="modulepreload" href="${page.assets}${base(i.path)}" />`)
    .join('\n    ');
  const html = template
    .replaceAll('{{script}}', `${page.assets}${names.js}`)
    .replaceAll('{{style}}', `${page.assets}${names.css}`)
    .replaceAll('{{modulepreload}}', preloads);
  if (html.includes('{{')) throw new Error(`${page.html}: a placeholder was left unfilled`);
  await emit(page.name, page.path, Buffer.from(html), 'no-cache');
}

await writeFile(join(OUT, 'manifest.json'), `${JSON.stringify({ files }, null, 2)}\n`);
console.log(`web: ${files.length} files in dist/web (${Math.round(performance.now() - started)} ms)`);
