/**
 * GraphQL operation latency by operation name (an envelop plugin, so HTTP, SSE and graphql-ws
 * are all measured). Operation names come from clients, so the label is bounded: anonymous
 * operations are `anonymous`, and once MAX_OPERATION_NAMES distinct names have been seen,
 * further new ones count as `other`.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
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

interface OperationArgs {
  document: DocumentNode;
  operationName?: string | null;
  contextValue: unknown;
}

/**
 * Observes each operation's duration into `histogram` ({operation, type, outcome}), logs it at
 * debug, and logs the cause of every unexpected error (`unexpectedCause`) at error — both with
 * the operation's logger (`context.log`, which carries the request id). For a subscription the
 * duration is its set-up (authorization, replay start), not its lifetime.
 */
export function useOperationMetrics(histogram: Histogram<Labels>, logger: Logger, unexpectedCause: (error: GraphQLError) => unknown, names = new OperationNames()): Plugin {
  const logOf = (args: OperationArgs) => (args.contextValue as { log?: Logger } | undefined)?.log ?? logger;
  const logUnexpected = (args: OperationArgs, errors: readonly GraphQLError[] | undefined) => {
    for (const error of errors ?? []) {
      const cause = unexpectedCause(error);
      if (cause) logOf(args).error({ err: cause, path: error.path?.join('.') }, 'unexpected error in a GraphQL operation');
    }
  };
  const observe = (args: OperationArgs, started: number, failed: boolean) => {
    const { name, type } = describe(args.document, args.operationName);
    const seconds = (performance.now() - started) / 1000;
    const outcome = failed ? 'error' : 'ok';
    histogram.observe({ operation: names.label(name), type, outcome }, seconds);
    logOf(args).debug({ operation: name ?? 'anonymous', type, outcome, durationMs: Math.round(seconds * 10_000) / 10 }, 'graphql operation');
  };
  const done = (args: OperationArgs, started: number, result: ExecutionResult | AsyncIterable<unknown>) => {
    if (isAsyncIterable(result)) {
      observe(args, started, false);
      // Each event of a subscription (or an incremental delivery) is one more result to check.
      return { onNext: ({ result: next }: { result: ExecutionResult }) => logUnexpected(args, next.errors) };
    }
    observe(args, started, (result.errors?.length ?? 0) > 0);
    logUnexpected(args, result.errors);
    return undefined;
  };
  return {
    onExecute({ args }) {
      const started = performance.now();
      return { onExecuteDone: ({ result }) => done(args, started, result) };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      return {
        onSubscribeResult: ({ result }) => done(args, started, result),
        onSubscribeError() {
          observe(args, started, true);
        },
      };
    },
  };
}
