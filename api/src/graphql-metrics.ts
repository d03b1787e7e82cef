/**
 * GraphQL operation latency by operation name (an envelop plugin, so HTTP, SSE and graphql-ws
 * are all measured). Operation names come from clients, so the label is bounded: anonymous
 * operations are `anonymous`, and once MAX_OPERATION_NAMES distinct names have been seen,
 * further new ones count as `other`.
 */
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Histogram } from 'prom-client';
import type { Logger } from '../../schema/src/log.ts';

export const MAX_OPERATION_NAMES = 200;

type Labels = 'operation' | 'type' | 'outcome';

/** Turns client operation names into a bounded set of label values. */
export class OperationNames {
  private readonly seen = new Set<string>();
  constructor(private readonly max = MAX_OPERATION_NAMES) {}

  label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(name);
    return name;
  }
}

function describe(document: DocumentNode, operationName: string | null | undefined): { name: string | undefined; type: string } {
  const operation = getOperationAST(document, operationName ?? undefined);
  return { name: operation?.name?.value, type: operation?.operation ?? 'unknown' };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * Observes each operation's duration into `histogram` ({operation, type, outcome}) and logs it
 * at debug (with the request id, from the log context). For a subscription the duration is its
 * set-up (authorization, replay start), not its lifetime.
 */
export function useOperationMetrics(histogram: Histogram<Labels>, logger: Logger, names = new OperationNames()): Plugin {
  const observe = (document: DocumentNode, operationName: string | null | undefined, started: number, failed: boolean) => {
    const { name, type } = describe(document, operationName);
    const seconds = (performance.now() - started) / 1000;
    const outcome = failed ? 'error' : 'ok';
    histogram.observe({ operation: names.label(name), type, outcome }, seconds);
    logger.debug({ operation: name ?? 'anonymous', type, outcome, durationMs: Math.round(seconds * 10_000) / 10 }, 'graphql operation');
  };
  return {
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const failed = !isAsyncIterable(result) && (result.errors?.length ?? 0) > 0;
          observe(args.document, args.operationName, started, failed);
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      return {
        onSubscribeResult({ result }) {
          const failed = !isAsyncIterable(result) && (result.errors?.length ?? 0) > 0;
          observe(args.document, args.operationName, started, failed);
        },
        onSubscribeError() {
          observe(args.document, args.operationName, started, true);
        },
      };
    },
  };
}
