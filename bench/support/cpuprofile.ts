/** The top of a V8 .cpuprofile (written by `node --cpu-prof`): where the self time went. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  /** Share of the busy (non-idle) time, 0–1. */
  share: number;
}

export interface ProfileSummary {
  /** Milliseconds sampled while not idle. */
  busyMs: number;
  /** Share of wall time that was idle. */
  idleShare: number;
  functions: Share[];
  /** By where the code lives: a package in node_modules, node internals, our folders, GC. */
  areas: Share[];
}

function shortUrl(url: string, root: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  return path.startsWith(root) ? path.slice(root.length) : path;
}

function areaOf(frame: ProfileNode['callFrame'], root: string): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = shortUrl(url, root);
  if (url.includes('/node_modules/')) {
    const parts = path.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path.split('/').slice(0, 2).join('/');
}

function top(totals: Map<string, number>, busy: number, limit: number): Share[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => ({ name, share: micros / busy }));
}

export function summarizeProfile(file: string, root: string, limit = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idle += micros;
      return;
    }
    busy += micros;
    const where = frame.url ? ` ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const area = areaOf(frame, root);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  });
  return {
    busyMs: busy / 1000,
    idleShare: idle / Math.max(1, idle + busy),
    functions: top(functions, busy, limit),
    areas: top(areas, busy, limit),
  };
}
