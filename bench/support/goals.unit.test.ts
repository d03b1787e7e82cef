import { describe, expect, it } from 'vitest';
import { goalsMarkdown, goalsText, type Goal } from './goals.ts';

const goal = (what: string, met: boolean): Goal => ({ what, goal: '≥ 1/s', measured: '2/s', baseline: 'COPY 4/s', ratio: '0.50×', met, limit: 'one core | the other' });

describe('the goal table', () => {
  it('counts the goals met and keeps every row, escaping pipes in markdown', () => {
    const md = goalsMarkdown([goal('ingest', true), goal('rebuild', false)], 'run at noon');
    expect(md).toContain('run at noon: 1 of 2 goals met');
    expect(md).toMatch(/\| ingest \| ≥ 1\/s \| 2\/s \| COPY 4\/s \| 0\.50× \| yes \| one core \\\| the other \|/);
    expect(md).toMatch(/\| rebuild \|.*\| NO \|/);
  });

  it('prints the rows without the limit column on stdout', () => {
    const text = goalsText([goal('ingest', true)]);
    expect(text.split('\n')[2]).toMatch(/^ingest\s+≥ 1\/s\s+2\/s\s+COPY 4\/s\s+0\.50×\s+yes$/);
  });
});
