/**
 * BENCHMARKS.md: each benchmark owns the text between `<!-- bench:<name>:start -->`
 * and `<!-- bench:<name>:end -->` and rewrites only that; everything else in the
 * file (other benchmarks, hand-written analysis after a section) is kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = `# Benchmarks

Figures written by \`npm run bench -- <name|all>\`. Each section between its
\`<!-- bench:… -->\` markers is rewritten by the benchmark; text outside the
markers (the analysis under each section) is written by hand and kept.
`;

export const markers = (name: string) => ({ start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` });

export function replaceSection(document: string, name: string, title: string, body: string): string {
  const { start, end } = markers(name);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from >= 0 && to > from) return document.slice(0, from) + block + document.slice(to + end.length);
  return `${document.trimEnd()}\n\n## ${title}\n\n${block}\n`;
}

export function writeSection(file: string, name: string, title: string, body: string): void {
  const document = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  writeFileSync(file, replaceSection(document, name, title, body));
}
