// JSON logs, one line per event, to stderr (stdout stays free for --help and the like).
import type { Log, LogLevel } from '../collectors/collector.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLog(min: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  return (level, msg, fields) => {
    if (RANK[level] < RANK[min]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}
