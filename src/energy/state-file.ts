// The exporter's ledger state file (methodology §9, restarts): the last reading of every counter, the
// pots not yet handed out, every output total, and the exporter's energy-source join. Written atomically
// (a temporary file renamed over the old one) after each cycle and read once at start, so the energy and
// tokens of a restart's downtime are attributed when the exporter returns. A file that does not parse, is
// of another format version, or is older than the ledger's retention is refused: the caller logs it and
// starts clean (never half a state).
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LedgerSnapshot } from './ledger.ts';

export const STATE_FORMAT = 'tokenwatt-ledger-state';
export const STATE_VERSION = 1;

const num = z.number().finite();
const point = z.object({ value: num.nonnegative(), t: num }).strict();
const guarded = z.object({ last: point.optional(), pending: point.optional(), suspect: point.optional() }).strict();
const labels = z.record(z.string(), z.string());
const engineId = z.object({ model_name: z.string(), engine: z.string(), namespace: z.string(), pod: z.string() }).strict();

const LedgerSnapshotSchema = z
  .object({
    lastTickS: num.optional(),
    boards: z.array(z.tuple([z.string(), z.object({ seenS: num, energy: guarded, learnedIdleWatts: num.nonnegative().optional(), lastActivity: z.record(z.string(), num) }).strict()])),
    engines: z.array(z.tuple([z.string(), z.object({
      seenS: num, lastReportS: num, generation: guarded, prompt: guarded, id: engineId,
      placements: z.array(z.object({ key: z.string(), host: z.string(), gpu: z.string(), instance: z.string() }).strict()),
    }).strict()])),
    pots: z.array(z.tuple([z.string(), z.object({
      touchedS: num, energy: num.nonnegative(), money: num.nonnegative(), co2: num.nonnegative(), held: z.boolean(),
      tallies: z.record(z.string(), z.object({ id: engineId, tokens: num.nonnegative() }).strict()),
    }).strict()])),
    slices: z.array(z.tuple([z.string(), z.object({ labels, seenS: num }).strict()])),
    counters: z.array(z.tuple([z.string(), z.object({ name: z.string(), labels, value: num.nonnegative(), touchedS: num }).strict()])),
  })
  .strict();

/** The exporter's join: per GPU, the source last fed and the offset that keeps the fed counter continuous. */
const JoinSchema = z
  .object({
    fed: z.array(z.tuple([z.string(), z.object({ source: z.string(), raw: num.nonnegative(), offset: num, ownBase: z.literal(true).optional() }).strict()])),
    raw: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), num.nonnegative()]))])),
  })
  .strict();

const StateSchema = z
  .object({ format: z.literal(STATE_FORMAT), version: z.literal(STATE_VERSION), savedAtS: num, ledger: LedgerSnapshotSchema, join: JoinSchema })
  .strict();

export type JoinState = z.infer<typeof JoinSchema>;
export interface LedgerState {
  savedAtS: number;
  ledger: LedgerSnapshot;
  join: JoinState;
}

/** Write atomically: a reader (or a crash) sees the old file or the new one, never half of one. */
export async function writeStateFile(path: string, state: LedgerState): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, ...state }));
  await rename(tmp, path);
}

/**
 * Read a state file. Returns undefined when there is none (first start); throws an Error saying why a
 * file is refused (not JSON, another format or version, a bad field, older than `maxAgeS` at `nowS`).
 */
export async function readStateFile(path: string, nowS: number, maxAgeS: number): Promise<LedgerState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read it: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  const head = doc as { format?: unknown; version?: unknown } | null;
  if (head?.format !== STATE_FORMAT) throw new Error(`not a ${STATE_FORMAT} file`);
  if (head.version !== STATE_VERSION) throw new Error(`format version ${String(head.version)}, this tokenwatt reads ${STATE_VERSION}`);
  const r = StateSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${i.path.join('.') || '(file)'}: ${i.message}`);
  }
  const age = nowS - r.data.savedAtS;
  if (age > maxAgeS) throw new Error(`saved ${Math.round(age)} s ago, more than the ledger's retention (${maxAgeS} s): its baselines would attribute the whole downtime`);
  if (age < 0) throw new Error(`saved in the future (${Math.round(-age)} s ahead of the clock)`);
  return { savedAtS: r.data.savedAtS, ledger: r.data.ledger as LedgerSnapshot, join: r.data.join };
}
