/**
 * One device: its status (live), a per-minute chart of each sensor type over the last
 * hour (seeded from the read model, then fed by readingRecorded), and, for admins, its
 * commands and target.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  AssignDeviceTargetDocument,
  DeviceDocument,
  DeviceStatusChangedDocument,
  followReadings,
  followSubscription,
  ReadingStatsDocument,
  SendDeviceCommandDocument,
  SystemStatusDocument,
  type DeviceCommand,
  type DeviceStatus,
  type LiveReading,
} from '../../../sdk/index.ts';
import { fieldError, liveOptions, session, type FieldError } from '../api.ts';
import type { Me } from '../app.tsx';
import { Link } from '../app.tsx';
import { MinuteChart } from '../chart.tsx';
import { deviceName, formatAgo, formatClock, formatTime, formatValue } from '../format.ts';
import { useLoad, useNow } from '../hooks.ts';
import { MINUTE_MS, MinuteSeries, minuteOf } from '../series.ts';
import { LiveIndicator, StatusBadge, type LiveState } from './devices.tsx';

const WINDOW_MINUTES = 60;
const RECENT = 8;

interface Props {
  me: Me;
  deviceCode: string;
  deviceNumber: number;
}

/**
 * The last hour as per-minute rollups (readingStats), and the stream position the live
 * feed resumes after. The projector position read before and after the stats brackets
 * them: when both agree, the stats hold exactly the readings up to that position, so the
 * feed adds each later reading once. Under a busy projector it tries three times, then
 * resumes after the earlier position (a reading applied in between may count twice in
 * its minute until the page is reloaded).
 */
async function seedSeries(deviceCode: string, deviceNumber: number, sensorTypes: string[], now: number): Promise<{ series: Map<string, MinuteSeries>; afterSequence: string }> {
  const from = new Date(minuteOf(now) - (WINDOW_MINUTES - 1) * MINUTE_MS).toISOString();
  const position = async () => (await session.request(SystemStatusDocument)).systemStatus.projectorPosition;
  for (let attempt = 1; ; attempt++) {
    const before = await position();
    const stats = await Promise.all(
      sensorTypes.map(async (sensorType) => [sensorType, (await session.request(ReadingStatsDocument, { filter: { deviceCode, deviceNumber, sensorType, from }, bucket: 'MINUTE' })).readingStats] as const),
    );
    if (attempt < 3 && (await position()) !== before) continue;
    const series = new Map<string, MinuteSeries>();
    for (const [sensorType, buckets] of stats) {
      const target = new MinuteSeries();
      for (const bucket of buckets) target.seed(bucket);
      series.set(sensorType, target);
    }
    return { series, afterSequence: before };
  }
}

function useLiveSeries(deviceCode: string, deviceNumber: number, sensorTypes: string[] | undefined) {
  const series = useRef(new Map<string, MinuteSeries>());
  const [recent, setRecent] = useState<LiveReading[]>([]);
  const [received, setReceived] = useState(0);
  const [state, setState] = useState<LiveState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [, setVersion] = useState(0);

  useEffect(() => {
    let stopped = false;
    let feed: { stop(): Promise<void> } | null = null;
    if (!sensorTypes) return;
    seedSeries(deviceCode, deviceNumber, sensorTypes, Date.now()).then(
      (seeded) => {
        if (stopped) return;
        series.current = seeded.series;
        setVersion((v) => v + 1);
        feed = followReadings(
          liveOptions,
          { filter: { deviceCode, deviceNumber }, afterSequence: seeded.afterSequence },
          {
            onReading: (reading) => {
              setState('live');
              const target = series.current.get(reading.sensorType) ?? series.current.set(reading.sensorType, new MinuteSeries()).get(reading.sensorType)!;
              target.add(Date.parse(reading.timestamp), reading.value);
              setReceived((n) => n + 1);
              setRecent((old) => [reading, ...old].slice(0, RECENT));
            },
            onInterrupted: () => setState('interrupted'),
          },
        );
        setState('live');
      },
      (e: unknown) => setError(fieldError(e).message),
    );
    return () => {
      stopped = true;
      void feed?.stop();
    };
    // Seeded once, when the device's sensor types are first known; new types join through the feed.
  }, [deviceCode, deviceNumber, sensorTypes === undefined]);

  return { series: series.current, recent, received, state, error };
}

function AdminControls({ deviceCode, deviceNumber, onDone }: { deviceCode: string; deviceNumber: number; onDone: () => void }) {
  const [interval, setIntervalText] = useState('10');
  const [target, setTarget] = useState({ name: '', latitude: '', longitude: '' });
  const [result, setResult] = useState<{ ok: boolean; text: string; field?: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (what: string, task: () => Promise<{ applied: boolean }>) => {
    setBusy(true);
    setResult(null);
    try {
      const { applied } = await task();
      setResult({ ok: applied, text: applied ? `${what}: done` : `${what}: the device was not found` });
      onDone();
    } catch (e) {
      const problem: FieldError = fieldError(e);
      setResult({ ok: false, text: problem.message, field: problem.field });
    } finally {
      setBusy(false);
    }
  };
  const command = (cmd: DeviceCommand, intervalSeconds?: number) =>
    run(cmd === 'SET_INTERVAL' ? 'interval' : cmd.toLowerCase(), async () => (await session.request(SendDeviceCommandDocument, { deviceCode, deviceNumber, command: cmd, intervalSeconds })).sendDeviceCommand);
  const number = (text: string) => (text.trim() === '' ? null : Number(text));

  return (
    <section class="card controls" aria-label="Device commands">
      <h2>Commands</h2>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void command('SLEEP')}>
          Sleep
        </button>
        <button type="button" disabled={busy} onClick={() => void command('WAKE')}>
          Wake
        </button>
        <label class="inline">
          Interval (s)
          <input inputMode="numeric" size={5} value={interval} onInput={(e) => setIntervalText(e.currentTarget.value)} />
        </label>
        <button type="button" disabled={busy} onClick={() => void command('SET_INTERVAL', Number(interval))}>
          Set interval
        </button>
      </div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run('target', async () => {
            const input = { name: target.name, latitude: number(target.latitude), longitude: number(target.longitude) };
            return (await session.request(AssignDeviceTargetDocument, { deviceCode, deviceNumber, target: input })).assignDeviceTarget;
          });
        }}
      >
        <label class="inline">
          Target
          <input placeholder="name" value={target.name} onInput={(e) => setTarget({ ...target, name: e.currentTarget.value })} />
        </label>
        <input aria-label="latitude" placeholder="lat" size={7} value={target.latitude} onInput={(e) => setTarget({ ...target, latitude: e.currentTarget.value })} />
        <input aria-label="longitude" placeholder="lon" size={7} value={target.longitude} onInput={(e) => setTarget({ ...target, longitude: e.currentTarget.value })} />
        <button type="submit" disabled={busy}>
          Assign target
        </button>
      </form>
      <p class={result?.ok ? 'ok' : 'error'} role="status">
        {result ? (result.field ? `${result.field}: ${result.text}` : result.text) : ''}
      </p>
    </section>
  );
}

export function DevicePage({ me, deviceCode, deviceNumber }: Props) {
  const now = useNow();
  const name = deviceName({ deviceCode, deviceNumber });
  const device = useLoad(() => session.request(DeviceDocument, { deviceCode, deviceNumber }), [deviceCode, deviceNumber], 10_000);
  const [liveStatus, setLiveStatus] = useState<{ status: DeviceStatus; at: number } | null>(null);
  const live = useLiveSeries(deviceCode, deviceNumber, device.data ? (device.data.device?.sensorTypes ?? []) : undefined);

  useEffect(() => {
    const subscription = followSubscription(liveOptions, DeviceStatusChangedDocument, { deviceCode, deviceNumber }, {
      onData: ({ deviceStatusChanged }) => setLiveStatus({ status: deviceStatusChanged.status, at: Date.now() }),
    });
    return () => void subscription.stop();
  }, [deviceCode, deviceNumber]);

  const d = device.data?.device;
  const status = liveStatus?.status ?? d?.status;
  const types = [...new Set([...(d?.sensorTypes ?? []), ...live.series.keys()])].sort();
  const lastSeen = live.recent[0]?.recordedAt ?? d?.lastSeenAt;

  return (
    <main>
      <div class="heading">
        <h1>
          <Link href="/">Devices</Link> / {name}
        </h1>
        <LiveIndicator state={live.state} />
      </div>
      {device.data && !d && <p class="error">No device {name}.</p>}
      {(device.error || live.error) && (
        <p class="error" role="alert">
          {device.error ?? live.error}
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="device-status">{status ? <StatusBadge status={status} /> : '…'}</dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd title={formatTime(lastSeen)}>{formatAgo(lastSeen, now)}</dd>
        </div>
        <div>
          <dt>Lost messages</dt>
          <dd>{d?.lostMessages ?? '…'}</dd>
        </div>
        <div>
          <dt>Interval</dt>
          <dd>{d ? `${d.intervalSeconds} s` : '…'}</dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd>{d?.target?.name ?? '—'}</dd>
        </div>
        <div>
          <dt>Live readings</dt>
          <dd data-testid="live-count">{live.received}</dd>
        </div>
      </dl>
      <p>
        <Link href={`/readings?deviceCode=${deviceCode}&deviceNumber=${deviceNumber}`}>Readings of {name}</Link>
      </p>
      <div class="charts">
        {types.map((type) => {
          const series = live.series.get(type);
          const buckets = series?.window(now, WINDOW_MINUTES) ?? [];
          const newest = buckets.at(-1);
          return (
            <section class="card" key={type} data-testid={`chart-${type}`}>
              <h2>
                {type}
                <span class="latest">{series?.latest ? formatValue(series.latest.value, type) : ''}</span>
              </h2>
              <MinuteChart sensorType={type} buckets={buckets} now={now} minutes={WINDOW_MINUTES} />
              <p class="legend" data-testid={`minute-${type}`}>
                {newest
                  ? `${formatClock(newest.start)}: min ${formatValue(newest.min)} · avg ${formatValue(newest.sum / newest.count)} · max ${formatValue(newest.max, type)} (${newest.count})`
                  : '\u00a0'}
              </p>
              <p class="legend">band: min–max per minute, line: average; last {WINDOW_MINUTES} minutes</p>
            </section>
          );
        })}
        {d && types.length === 0 && <p class="muted">No readings yet.</p>}
      </div>
      <section class="card">
        <h2>Latest live readings</h2>
        <ol class="recent" data-testid="live-readings">
          {Array.from({ length: RECENT }, (_, i) => {
            const r = live.recent[i];
            const text = r ? `${formatTime(r.timestamp)} · ${r.sensorType} ${formatValue(r.value, r.sensorType)} · #${r.sequence}` : i === 0 ? 'waiting for the next reading…' : '\u00a0';
            return (
              <li key={r?.sequence ?? `empty${i}`} class={r ? undefined : 'muted'}>
                {text}
              </li>
            );
          })}
        </ol>
      </section>
      {me.role === 'ADMIN' && <AdminControls deviceCode={deviceCode} deviceNumber={deviceNumber} onDone={device.reload} />}
    </main>
  );
}
