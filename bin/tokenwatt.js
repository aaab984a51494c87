#!/usr/bin/env node
// Entry point for `npx tokenwatt`: the sources are TypeScript, run through tsx's loader so
// that `npm ci` is the only install step (no separate compile to keep in sync). Long-running
// processes (the exporter) can run the bundle `npm run build` writes instead: dist/bin/tokenwatt.mjs.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
