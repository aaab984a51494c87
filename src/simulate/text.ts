// A minimal writer of the Prometheus text format (0.0.4) for the simulated endpoints: HELP and TYPE
// lines, then samples with labels in the order given (each upstream has its own order).

export type Labels = readonly (readonly [string, string])[];

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function labelText(labels: Labels): string {
  return labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

export class TextWriter {
  private out: string[] = [];
  family(name: string, type: string, help: string): this {
    this.out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Labels, value: string): this {
    this.out.push(`${name}${labelText(labels)} ${value}`);
    return this;
  }
  toString(): string { return this.out.join('\n') + '\n'; }
}

/** Python's repr of a float, as prometheus_client prints values: 3.0, 0.25, 1e-05. */
export function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  if (v === Infinity) return '+Inf';
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** C's %f, as dcgm-exporter prints float fields: 67.351000. */
export const cFloat = (v: number): string => v.toFixed(6);

/** Go's strconv.FormatFloat(v, 'g', -1, 64), as Go exporters (Kepler) print values: 1.234567e+06. */
export function goFloat(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
  // Shortest digits; %e when the decimal exponent is < -4 or >= 6 (Go's rule for shortest 'g').
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}
