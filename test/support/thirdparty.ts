// Load a verbatim upstream scrape from test/fixtures/thirdparty/. Those files quote docs and issues
// where a line "..." marks an elision in the original; it is not exposition, so it is dropped here
// (nothing else is changed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition } from '../../src/exposition/parse.ts';
import type { MetricFamily } from '../../src/exposition/types.ts';

export const THIRDPARTY = join(import.meta.dirname, '..', 'fixtures', 'thirdparty');

export function thirdpartyText(rel: string): string {
  return readFileSync(join(THIRDPARTY, rel), 'utf8').split('\n').filter((l) => l !== '...').join('\n');
}

export function thirdparty(rel: string): MetricFamily[] {
  return parseExposition(thirdpartyText(rel), { format: 'text' });
}
