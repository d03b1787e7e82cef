/** The alarm projection's tables: the live ones, or a rebuild's fresh copies (same handler, other names). */
import { REBUILD_SUFFIX } from '../readings/tables.ts';

export interface AlarmTables {
  rules: string;
  alarms: string;
  history: string;
  state: string;
  commandResults: string;
  /** Announce applied commands and new history on NOTIFY channels at commit (the API listens). */
  notify?: boolean;
}

export const LIVE_ALARM_TABLES: AlarmTables = {
  rules: 'alarm_rules',
  alarms: 'alarms',
  history: 'alarm_history',
  state: 'alarm_evaluator_state',
  commandResults: 'alarm_command_results',
  notify: true,
};

export const REBUILD_ALARM_TABLES: AlarmTables = {
  rules: `alarm_rules${REBUILD_SUFFIX}`,
  alarms: `alarms${REBUILD_SUFFIX}`,
  history: `alarm_history${REBUILD_SUFFIX}`,
  state: `alarm_evaluator_state${REBUILD_SUFFIX}`,
  commandResults: `alarm_command_results${REBUILD_SUFFIX}`,
};

export const alarmTableList = (t: AlarmTables) => [t.rules, t.alarms, t.history, t.state, t.commandResults];
