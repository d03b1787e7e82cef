/**
 * The read-model tables a projection writes. The live projector writes the real
 * tables; a rebuild writes fresh copies with the same handler, then swaps them in.
 */
export interface ReadModelTables {
  readings: string;
  changeResults: string;
}

export const LIVE_TABLES: ReadModelTables = { readings: 'readings', changeResults: 'change_results' };

export const REBUILD_SUFFIX = '_rebuild';

export const REBUILD_TABLES: ReadModelTables = {
  readings: `readings${REBUILD_SUFFIX}`,
  changeResults: `change_results${REBUILD_SUFFIX}`,
};

export function tableList(tables: ReadModelTables): string[] {
  return [tables.readings, tables.changeResults];
}
