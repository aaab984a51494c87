#!/usr/bin/env node
// Entry point for `npx tokenwatt`. In a checkout the TypeScript sources run through tsx's loader, so
// that `npm ci` is the only install step (no separate compile to keep in sync). The packed package
// (`npm pack`) ships no src/, only the bundle its prepack writes (dist/bin/tokenwatt.mjs, plain node,
// every npm dependency inside): that is what runs there. Long-running processes in a checkout (the
// exporter) can run the bundle `npm run build` writes as well: node dist/bin/tokenwatt.mjs.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  await import('../dist/bin/tokenwatt.mjs');
}
