// PromQL type checking (function argument types, aggregation operands, binary operands) with
// the analyser Prometheus's own UI uses: @prometheus-io/codemirror-promql's Parser.
// It ships ESM without file extensions (unloadable by Node), so its CommonJS build is required;
// @codemirror/state must then come from CommonJS too, or instanceof checks fail between copies.
import { createRequire } from 'node:module';

interface Diagnostic { from: number; message: string }
interface CmParser { analyze(): void; getDiagnostics(): Diagnostic[] }

const require = createRequire(import.meta.url);
const { Parser } = require('@prometheus-io/codemirror-promql/dist/cjs/parser/parser.js') as {
  Parser: new (state: unknown) => CmParser;
};
const { promQLLanguage, LanguageType } = require('@prometheus-io/codemirror-promql/dist/cjs/promql.js') as {
  promQLLanguage: (t: unknown) => unknown; LanguageType: { PromQL: unknown };
};
const { EditorState } = require('@codemirror/state') as { EditorState: { create(c: { doc: string; extensions: unknown }): unknown } };

const language = promQLLanguage(LanguageType.PromQL);

/** Type errors in a syntactically valid query (Grafana variables already substituted). */
export function typeDiagnostics(expr: string): { at: number; message: string }[] {
  const parser = new Parser(EditorState.create({ doc: expr, extensions: language }));
  parser.analyze();
  return parser.getDiagnostics().map((d) => ({ at: d.from, message: d.message }));
}
