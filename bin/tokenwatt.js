#!/usr/bin/env node
// Entry point for `npx tokenwatt`: the sources are TypeScript, run through tsx's loader so
// that `npm ci` is the only install step (no separate compile to keep in sync).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
