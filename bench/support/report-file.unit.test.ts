import { describe, expect, it } from 'vitest';
import { replaceSection } from './report-file.ts';

const doc = [
  '# Benchmarks',
  '',
  '## Ingest',
  '',
  '<!-- bench:ingest:start -->',
  'old figures',
  '<!-- bench:ingest:end -->',
  '',
  '### What limits it',
  'hand-written',
  '',
  '## Query',
  '',
  '<!-- bench:query:start -->',
  'query figures',
  '<!-- bench:query:end -->',
  '',
].join('\n');

describe('rewriting a section of BENCHMARKS.md', () => {
  it('replaces only the text between the benchmark\'s markers', () => {
    const out = replaceSection(doc, 'ingest', 'Ingest', 'new figures');
    expect(out).toBe(doc.replace('old figures', 'new figures'));
  });

  it('appends a titled section for a benchmark not yet in the file', () => {
    const out = replaceSection(doc, 'rebuild', 'Rebuild', 'rebuild figures');
    expect(out.startsWith(doc.trimEnd())).toBe(true);
    expect(out.endsWith('\n## Rebuild\n\n<!-- bench:rebuild:start -->\nrebuild figures\n<!-- bench:rebuild:end -->\n')).toBe(true);
  });
});
