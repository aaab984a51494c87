// A strict numeric CSV reader for recorded runs (trace.csv, tokens.csv): a header naming the columns,
// then rows of finite numbers with a non-decreasing first (time) column. Errors name the file, line and
// column (both counted from 1) so a user can fix a hand-edited file.

export class CsvError extends Error {}

/** Parse `text` and return, per row, the values of `columns` (which the header must contain). */
export function parseNumericCsv<const C extends readonly string[]>(text: string, columns: C, file: string): Record<C[number], number>[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header.length === 1 && header[0] === '') throw new CsvError(`${file}: line 1: empty file, expected a header with ${columns.join(', ')}`);
  const index = columns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new CsvError(`${file}: line 1: header lacks column '${c}' (has ${header.join(', ')})`);
    return i;
  });
  const rows: Record<C[number], number>[] = [];
  let lastTime = -Infinity;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new CsvError(`${file}: line ${n + 1}, column ${Math.min(cells.length, header.length) + 1}: expected ${header.length} columns, got ${cells.length}`);
    }
    const row = {} as Record<C[number], number>;
    columns.forEach((c, k) => {
      const cell = cells[index[k]!]!.trim();
      const v = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(v)) throw new CsvError(`${file}: line ${n + 1}, column ${index[k]! + 1} (${c}): '${cell}' is not a number`);
      (row as Record<string, number>)[c] = v;
    });
    const t = (row as Record<string, number>)[columns[0]!]!;
    if (t < lastTime) throw new CsvError(`${file}: line ${n + 1}, column ${index[0]! + 1} (${columns[0]}): time ${t} is before the previous row's ${lastTime}`);
    lastTime = t;
    rows.push(row);
  }
  if (rows.length < 2) throw new CsvError(`${file}: needs at least two data rows to take a difference, got ${rows.length}`);
  return rows;
}
