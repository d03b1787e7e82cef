/**
 * Query cost with the page sizes a request really asks for. graphql-armor's cost limit
 * runs at validation, before variables are known, so it multiplies by a literal
 * `first`/`last` only: `readings(first: $n)` with `{"n": 1000}`, or `readings(limit: 1000)`,
 * passed at any size. This plugin computes armor's formula again for the operation being
 * executed (HTTP, SSE and graphql-ws alike), with `first`, `last` and `limit` read from
 * literals or variables, and refuses it before any resolver runs.
 */
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface CostWeights {
  maxCost: number;
  /** graphql-armor's defaults: a field with a selection costs 2, a leaf 1, each level down ×1.5. */
  objectCost: number;
  scalarCost: number;
  depthCostFactor: number;
}

/** Arguments that multiply the cost of their field's selection: page sizes. */
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last', 'limit']);

type Variables = Readonly<Record<string, unknown>> | null | undefined;

function intValue(node: ValueNode, variables: Variables): number | null {
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind === Kind.VARIABLE) {
    const value = variables?.[node.name.value];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number.parseInt(value, 10);
  }
  return null;
}

/** The largest page size a field asks for, at least 1. */
function multiplier(field: FieldNode, variables: Variables): number {
  let size = 1;
  for (const argument of field.arguments ?? []) {
    if (!PAGE_SIZE_ARGUMENTS.has(argument.name.value)) continue;
    size = Math.max(size, intValue(argument.value, variables) ?? 1);
  }
  return size;
}

/** The cost of the operation `operationName` of `document` with these variables (armor's formula, page sizes resolved). */
export function operationCost(document: DocumentNode, operationName: string | null | undefined, variables: Variables, weights: CostWeights): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentCosts = new Map<string, number>();

  const selectionsCost = (selections: readonly SelectionNode[]): number =>
    selections.reduce((sum, child) => sum + weights.depthCostFactor * selectionCost(child), 0);

  function selectionCost(node: SelectionNode): number {
    if (node.kind === Kind.FRAGMENT_SPREAD) {
      const name = node.name.value;
      let cost = fragmentCosts.get(name);
      if (cost === undefined) {
        // Validation has refused fragment cycles; the placeholder only guards against one anyway.
        fragmentCosts.set(name, 0);
        const fragment = fragments.get(name);
        cost = fragment ? weights.objectCost + selectionsCost(fragment.selectionSet.selections) : 0;
        fragmentCosts.set(name, cost);
      }
      return weights.scalarCost + weights.depthCostFactor * cost;
    }
    if (node.kind === Kind.FIELD && node.name.value === '__schema') return 0;
    if (!node.selectionSet) return weights.scalarCost;
    const own = weights.objectCost + selectionsCost(node.selectionSet.selections);
    return node.kind === Kind.FIELD ? own * multiplier(node, variables) : own;
  }

  return operation.selectionSet.selections.reduce((sum, child) => sum + selectionCost(child), 0);
}

export function costLimitError(cost: number, weights: CostWeights): GraphQLError {
  return new GraphQLError(`Query Cost limit of ${weights.maxCost} exceeded, found ${cost}.`, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** Refuses an operation whose cost, with its variables, exceeds `weights.maxCost`. */
export function useVariableCostLimit(weights: CostWeights): Plugin {
  const refusal = (args: { document: DocumentNode; operationName?: string | null; variableValues?: Variables }) => {
    const cost = operationCost(args.document, args.operationName, args.variableValues, weights);
    return cost > weights.maxCost ? costLimitError(cost, weights) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
