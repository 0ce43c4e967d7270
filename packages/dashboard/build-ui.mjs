// Bundles the page (src/ui, Preact + uPlot) into dist/ui: index.html and content-hashed
// assets/app-<hash>.js and .css, so that the server can cache them for a year and revalidate
// only index.html. Run by `pnpm build`; everything the page needs is in these files (no CDN).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const outdir = join(root, 'dist', 'ui');
await rm(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints: { app: join(root, 'src', 'ui', 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: 'assets/[name]-[hash]',
  outdir,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (script === undefined || style === undefined)
  throw new Error(`build-ui: no js/css in ${outputs}`);

// `data:,` as the icon: browsers would otherwise ask for /favicon.ico, a 404 in the console.
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ovms-ts dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/${style}">
<script type="module" src="/dashboard/assets/${script}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'index.html'), html);
