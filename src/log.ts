// The structured log every part of tokenwatt writes to (collectors, the exporter, commands), and its
// one implementation: JSON lines to stderr (stdout stays free for --help and the like). Its own module
// so that collectors and the exporter share it without importing each other.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured log sink handed to collectors (the exporter writes JSON lines; tests collect them). */
export type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLog(min: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  return (level, msg, fields) => {
    if (RANK[level] < RANK[min]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}
