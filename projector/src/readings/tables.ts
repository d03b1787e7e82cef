/**
 * The read-model tables a projection writes. The live projector writes the real
 * tables; a rebuild writes fresh copies with the same handler, then swaps them in.
 */
export interface ReadModelTables {
  readings: string;
  changeResults: string;
  devices: string;
  deviceSequences: string;
  rollups: string;
  /** Announce each applied change on CHANGE_APPLIED_CHANNEL at commit (the API waits on it). */
  notifyChanges?: boolean;
}

export const LIVE_TABLES: ReadModelTables = {
  readings: 'readings',
  changeResults: 'change_results',
  devices: 'devices',
  deviceSequences: 'device_sequences',
  rollups: 'reading_rollups',
  notifyChanges: true,
};

export const REBUILD_SUFFIX = '_rebuild';

export const REBUILD_TABLES: ReadModelTables = {
  readings: `readings${REBUILD_SUFFIX}`,
  changeResults: `change_results${REBUILD_SUFFIX}`,
  devices: `devices${REBUILD_SUFFIX}`,
  deviceSequences: `device_sequences${REBUILD_SUFFIX}`,
  rollups: `reading_rollups${REBUILD_SUFFIX}`,
};

export function tableList(tables: ReadModelTables): string[] {
  return [tables.readings, tables.changeResults, tables.devices, tables.deviceSequences, tables.rollups];
}
