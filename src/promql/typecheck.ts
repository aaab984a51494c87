// PromQL type checking (function argument types, aggregation operands, binary operands) with
// the analyser Prometheus's own UI uses: @prometheus-io/codemirror-promql's Parser.
// It ships ESM without file extensions (unloadable by Node), so its CommonJS build is required;
// @codemirror/state must then come from CommonJS too, or instanceof checks fail between copies.
import { createRequire } from 'node:module';

interface Diagnostic { from: number; message: string }
interface CmParser { analyze(): void; getDiagnostics(): Diagnostic[]; tree: unknown }

const require = createRequire(import.meta.url);
const { Parser } = require('@prometheus-io/codemirror-promql/dist/cjs/parser/parser.js') as {
  Parser: new (state: unknown) => CmParser;
};
const { promQLLanguage, LanguageType } = require('@prometheus-io/codemirror-promql/dist/cjs/promql.js') as {
  promQLLanguage: (t: unknown) => unknown; LanguageType: { PromQL: unknown };
};
const { EditorState } = require('@codemirror/state') as { EditorState: { create(c: { doc: string; extensions: unknown }): unknown } };
const { ensureSyntaxTree } = require('@codemirror/language') as { ensureSyntaxTree(state: unknown, upto: number, timeoutMs: number): unknown };

const language = promQLLanguage(LanguageType.PromQL);

/** Type errors in a syntactically valid query (Grafana variables already substituted). */
export function typeDiagnostics(query: string): { at: number; message: string }[] {
  // The analyser only looks at the tree's first node: blank out leading `# comment` lines (a
  // drill-down mark, say) so it sees the expression, at the same positions.
  const expr = query.replace(/^(\s*#[^\n]*\n)+/, (m) => m.replace(/[^\n]/g, ' '));
  const state = EditorState.create({ doc: expr, extensions: language });
  // An editor parses within a time budget and leaves the rest for later: on a busy machine the
  // Parser would see a partial tree and report phantom errors. Parse to the end first.
  const tree = ensureSyntaxTree(state, expr.length, 60_000);
  if (!tree) throw new Error(`could not parse the whole query for type checking: ${expr}`);
  const parser = new Parser(state);
  parser.tree = tree;
  parser.analyze();
  return parser.getDiagnostics().map((d) => ({ at: d.from, message: d.message }));
}
