/**
 * The fleet: one row per device with its status, last reading and lost messages. Status
 * changes arrive live (deviceStatusChanged); the page also re-reads itself every 10 s,
 * because "last seen" moves on without a status change.
 */
import { useEffect, useState } from 'preact/hooks';
import { DevicesDocument, DeviceStatusChangedDocument, followSubscription, type DeviceFields, type DeviceFilter, type DeviceStatus } from '../../../sdk/index.ts';
import { liveOptions, session } from '../api.ts';
import { Link } from '../app.tsx';
import { deviceName, formatAgo, formatTime, SENSOR_TYPES, STATUS_LABELS } from '../format.ts';
import { useLoad, useNow } from '../hooks.ts';
import { navigate } from '../router.ts';

const PAGE_SIZE = 50;
const STATUSES = Object.keys(STATUS_LABELS) as DeviceStatus[];

export function StatusBadge({ status }: { status: DeviceStatus }) {
  return <span class={`status status-${status.toLowerCase()}`}>{STATUS_LABELS[status]}</span>;
}

export type LiveState = 'connecting' | 'live' | 'interrupted';

export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <span class={`live live-${state}`} data-testid="live-state" title={state === 'live' ? 'receiving live updates' : state}>
      {state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…'}
    </span>
  );
}

/** What a status change said about a device, and when it arrived. */
type Patch = Partial<DeviceFields> & { receivedAt: number };

export function DevicesPage({ query }: { query: URLSearchParams }) {
  const filter: DeviceFilter = {
    status: (query.get('status') as DeviceStatus | null) || undefined,
    sensorType: query.get('sensorType') || undefined,
    deviceCode: query.get('deviceCode') || undefined,
  };
  const after = query.get('after');
  const filterKey = JSON.stringify(filter);
  const [cursors, setCursors] = useState<string[]>([]);
  const [patches, setPatches] = useState<Map<string, Patch>>(new Map());
  const [live, setLive] = useState<LiveState>('connecting');
  const now = useNow();
  const page = useLoad(
    async () => {
      const askedAt = Date.now();
      return { askedAt, ...(await session.request(DevicesDocument, { filter, first: PAGE_SIZE, after })) };
    },
    [filterKey, after],
    10_000,
  );

  useEffect(() => {
    const subscription = followSubscription(
      liveOptions,
      DeviceStatusChangedDocument,
      {},
      {
        onConnected: () => setLive('live'),
        onInterrupted: () => setLive('interrupted'),
        onData: ({ deviceStatusChanged: change }) =>
          setPatches((old) => new Map(old).set(deviceName(change.device), { ...change.device, status: change.status, receivedAt: Date.now() })),
      },
    );
    return () => void subscription.stop();
  }, []);

  const setQuery = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    next.delete('after');
    setCursors([]);
    navigate(`/?${next.toString()}`.replace(/\?$/, ''));
  };
  const goTo = (cursor: string | null) => {
    const next = new URLSearchParams(query);
    if (cursor) next.set('after', cursor);
    else next.delete('after');
    navigate(`/?${next.toString()}`.replace(/\?$/, ''));
  };

  // A change that arrived after the page was asked for is newer than the page.
  const askedAt = page.data?.askedAt ?? 0;
  const rows = (page.data?.devices.nodes ?? []).map((d) => {
    const patch = patches.get(deviceName(d));
    if (!patch || patch.receivedAt < askedAt) return d;
    const { receivedAt: _, ...fields } = patch;
    return { ...d, ...fields };
  });
  const counts = STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length] as const);

  return (
    <main>
      <div class="heading">
        <h1>Devices</h1>
        <LiveIndicator state={live} />
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={filter.status ?? ''} onChange={(e) => setQuery({ status: e.currentTarget.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option value={s}>{STATUS_LABELS[s]}</option>
            ))}
          </select>
        </label>
        <label>
          Sensor type
          <select value={filter.sensorType ?? ''} onChange={(e) => setQuery({ sensorType: e.currentTarget.value })}>
            <option value="">any</option>
            {SENSOR_TYPES.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Device code
          <input
            value={filter.deviceCode ?? ''}
            placeholder="e.g. A"
            maxLength={20}
            onChange={(e) => setQuery({ deviceCode: e.currentTarget.value.toUpperCase() })}
          />
        </label>
      </form>
      <p class="summary">
        {counts.map(([s, n]) => (
          <span key={s}>
            <StatusBadge status={s} /> {n}
          </span>
        ))}
        <span class="muted">on this page</span>
      </p>
      {page.error && (
        <p class="error" role="alert">
          {page.error}
        </p>
      )}
      <div class="table-wrap">
        <table class="devices" data-testid="devices">
          <thead>
            <tr>
              <th>Device</th>
              <th>Types</th>
              <th>Status</th>
              <th>Last seen</th>
              <th class="num">Lost</th>
              <th class="num wide-only">Readings</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={deviceName(d)} data-device={deviceName(d)}>
                <td>
                  <Link href={`/devices/${d.deviceCode}/${d.deviceNumber}`}>{deviceName(d)}</Link>
                </td>
                <td>{d.sensorTypes.join(', ') || '—'}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td class="ago" title={formatTime(d.lastSeenAt)}>
                  {formatAgo(d.lastSeenAt, now)}
                </td>
                <td class="num">{d.lostMessages}</td>
                <td class="num wide-only">{d.readingCount.toLocaleString()}</td>
              </tr>
            ))}
            {page.data && rows.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No devices match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => { const previous = cursors.slice(0, -1); setCursors(previous); goTo(previous.at(-1) ?? null); }}>
          Previous
        </button>
        <button
          type="button"
          disabled={!page.data?.devices.pageInfo.hasNextPage}
          onClick={() => {
            const cursor = page.data?.devices.pageInfo.endCursor;
            if (!cursor) return;
            setCursors([...cursors, cursor]);
            goTo(cursor);
          }}
        >
          Next
        </button>
      </div>
    </main>
  );
}
