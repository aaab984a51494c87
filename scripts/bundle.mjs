#!/usr/bin/env node
// Bundles src/ into dist/bin/tokenwatt.mjs for plain `node`, without tsx. A long-running exporter run
// this way leaves out tsx's loader thread and on-the-fly transforms: about 45 MB less RSS, measured
// in bench/results/serve.json. npm packages are bundled too, so the packed tarball (`npm pack`, whose
// prepack runs this) needs no node_modules at run time; only koffi, a native optional dependency, stays
// external (without it NVML falls back to nvidia-smi). Commands stay in their own chunks so the
// exporter loads only what it uses.
//
// The output sits two levels below the checkout, like src/<dir>/*.ts, so the few paths the code
// resolves from import.meta.url (docs/runbooks, exporters/) stay right.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--outdir');
const outdir = resolve(i > 0 ? process.argv[i + 1] : resolve(root, 'dist/bin'));

// Stale chunks from an older build would otherwise pile up beside the new ones.
rmSync(outdir, { recursive: true, force: true });

// src/ loads some CommonJS builds through `const require = createRequire(import.meta.url)` (see
// src/promql/typecheck.ts). esbuild bundles only calls of the free `require`, so that line is dropped
// here and the calls resolve inside the bundle; the banner gives chunks a real `require` for Node's
// own modules, which bundled CommonJS code requires at run time.
const inlineCreateRequire = {
  name: 'inline-create-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replace(/^const require = createRequire\(import\.meta\.url\);$/m, ''), loader: 'ts' };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  // The scrape worker (src/collectors/scrape-pool.ts) is its own entry: a worker thread loads a file.
  entryPoints: { tokenwatt: 'src/main.ts', 'scrape-worker': 'src/collectors/scrape-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  plugins: [inlineCreateRequire],
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
  outExtension: { '.js': '.mjs' },
  metafile: true,
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs);
console.log(`bundle: wrote ${relative(root, resolve(root, files.find((f) => f.endsWith('/tokenwatt.mjs'))))} and ${files.length - 1} chunks (run: node ${relative(process.cwd(), resolve(outdir, 'tokenwatt.mjs'))} --help)`);
