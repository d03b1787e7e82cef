import { describe, expect, it } from 'vitest';
import { MAX_OPERATION_NAMES, OperationNames } from './graphql-metrics.ts';
import { requestIdOf, routeOf } from './http-ops.ts';

describe('OperationNames', () => {
  it('labels anonymous operations, keeps known names, and counts names beyond the cap as other', () => {
    const names = new OperationNames(2);
    expect([names.label(undefined), names.label(''), names.label('A'), names.label('B'), names.label('C'), names.label('A')]).toEqual([
      'anonymous',
      'anonymous',
      'A',
      'B',
      'other',
      'A',
    ]);
  });

  it('holds at most MAX_OPERATION_NAMES distinct names by default', () => {
    const names = new OperationNames();
    const labels = new Set(Array.from({ length: MAX_OPERATION_NAMES + 50 }, (_, i) => names.label(`Op${i}`)));
    expect(labels.size).toBe(MAX_OPERATION_NAMES + 1);
    expect(labels.has('other')).toBe(true);
  });
});

describe('requestIdOf', () => {
  it('keeps a sane client id and replaces a missing, long or log-forging one', () => {
    expect(requestIdOf('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    expect(requestIdOf(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'a'.repeat(129), 'has space', 'quote"', 'new\nline']) expect(requestIdOf(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('routeOf', () => {
  it('maps paths onto a bounded set of route labels', () => {
    expect(['/graphql', '/api/v1', '/api/v1/sensors', '/healthz', '/readyz', '/metrics', '/', '/devices/A/1', '/api/v10'].map(routeOf)).toEqual([
      'graphql',
      'rest',
      'rest',
      'healthz',
      'readyz',
      'metrics',
      'other',
      'other',
      'other',
    ]);
  });
});
