import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** One `tokenwatt <name>` subcommand. `run` returns the process exit code. */
export interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Bad flags or arguments: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}

/** node:util parseArgs, with its errors turned into UsageError (exit 2). */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
