// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints each
// result and writes it to bench/results/<name>.json. Each bench exports a default async function
// returning a JSON-able summary that states its goals and whether they were met.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')));
await mkdir(join(here, 'results'), { recursive: true });
for (const f of files) {
  const name = basename(f, '.bench.ts');
  console.log(`\n== ${name}`);
  const mod = (await import(join(here, f))) as { default: () => Promise<unknown> };
  const result = { bench: name, date: new Date().toISOString(), node: process.version, ...(await mod.default()) as object };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(join(here, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
