/**
 * Readings: filter (device, type, time range), numbered pages, edit one reading or every
 * reading matching the filter (users and admins), delete and restore (admins: the buttons
 * are not there for users). The server checks every input; its SPEC §3 messages are shown
 * next to the field they name.
 */
import { useState } from 'preact/hooks';
import {
  DeletedReadingsDocument,
  DeleteReadingsDocument,
  ReadingsDocument,
  RestoreReadingsDocument,
  UpdateReadingsDocument,
  type ReadingChanges,
  type ReadingFields,
  type ReadingFilter,
} from '../../../sdk/index.ts';
import { fieldError, session, type FieldError } from '../api.ts';
import type { Me } from '../app.tsx';
import { formatShortTime, formatTime, formatValue, fromLocalInput, SENSOR_TYPES, toLocalInput } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { navigate } from '../router.ts';

const PAGE_SIZE = 25;
const FILTER_KEYS = ['deviceCode', 'deviceNumber', 'sensorType', 'from', 'to'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** The filter as the URL holds it: text, sent as typed (the server judges it). */
function filterFromQuery(query: URLSearchParams): ReadingFilter {
  const filter: ReadingFilter = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    if (!value) continue;
    if (key === 'deviceNumber') filter.deviceNumber = Number(value);
    else filter[key] = value;
  }
  return filter;
}

function FieldProblem({ error, field }: { error: FieldError | null; field: string }) {
  if (!error || error.field !== field) return null;
  return (
    <span class="field-error" role="alert" data-field={field}>
      {error.message}
    </span>
  );
}

function GeneralProblem({ error, fields }: { error: FieldError | null; fields: readonly string[] }) {
  if (!error || (error.field && fields.includes(error.field))) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

interface ChangesForm {
  sensorType: string;
  value: string;
  timestamp: string;
}

/** The changes a form asks for; a value that is no number is refused here, as the API would refuse its type. */
function changesOf(form: ChangesForm, original?: ReadingFields): ReadingChanges | FieldError {
  const changes: ReadingChanges = {};
  if (form.sensorType && form.sensorType !== original?.sensorType) changes.sensorType = form.sensorType;
  if (form.value.trim() !== '') {
    const value = Number(form.value.replace(',', '.'));
    if (!Number.isFinite(value)) return { field: 'value', message: 'value must be a number' };
    if (value !== original?.value) changes.value = value;
  }
  if (form.timestamp && form.timestamp !== (original ? toLocalInput(original.timestamp) : '')) {
    const iso = fromLocalInput(form.timestamp);
    if (!iso) return { field: 'timestamp', message: 'timestamp must be a date and time' };
    changes.timestamp = iso;
  }
  return changes;
}

const isProblem = (x: ReadingChanges | FieldError): x is FieldError => 'message' in x;

function ChangeFields({ form, setForm, error, prefix }: { form: ChangesForm; setForm: (f: ChangesForm) => void; error: FieldError | null; prefix: string }) {
  return (
    <>
      <label>
        Sensor type
        <select name={`${prefix}-sensorType`} value={form.sensorType} onChange={(e) => setForm({ ...form, sensorType: e.currentTarget.value })}>
          <option value="">unchanged</option>
          {SENSOR_TYPES.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
        <FieldProblem error={error} field="sensorType" />
      </label>
      <label>
        Value
        <input name={`${prefix}-value`} inputMode="decimal" value={form.value} onInput={(e) => setForm({ ...form, value: e.currentTarget.value })} />
        <FieldProblem error={error} field="value" />
      </label>
      <label>
        Timestamp
        <input name={`${prefix}-timestamp`} type="datetime-local" step={1} value={form.timestamp} onInput={(e) => setForm({ ...form, timestamp: e.currentTarget.value })} />
        <FieldProblem error={error} field="timestamp" />
      </label>
    </>
  );
}

/** One reading's exact filter: its device, type and timestamp. */
const exactFilter = (r: ReadingFields): ReadingFilter => ({ deviceCode: r.deviceCode, deviceNumber: r.deviceNumber, sensorType: r.sensorType, from: r.timestamp, to: r.timestamp });

const plural = (n: number) => `${n.toLocaleString()} reading${n === 1 ? '' : 's'}`;

function EditRow({ reading, onDone, onCancel }: { reading: ReadingFields; onDone: (message: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<ChangesForm>({ sensorType: reading.sensorType, value: String(reading.value), timestamp: toLocalInput(reading.timestamp) });
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    const changes = changesOf(form, reading);
    if (isProblem(changes)) return setError(changes);
    setBusy(true);
    try {
      const { updateReadings } = await session.request(UpdateReadingsDocument, { filter: exactFilter(reading), changes });
      onDone(`${plural(updateReadings.affected)} changed`);
    } catch (e) {
      setError(fieldError(e));
      setBusy(false);
    }
  };
  return (
    <tr class="editing">
      <td colSpan={7}>
        <form class="edit" onSubmit={save} noValidate aria-label={`Edit reading ${reading.id}`}>
          <ChangeFields form={form} setForm={setForm} error={error} prefix="edit" />
          <div class="buttons">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" class="quiet" onClick={onCancel}>
              Cancel
            </button>
          </div>
          <GeneralProblem error={error} fields={['sensorType', 'value', 'timestamp']} />
        </form>
      </td>
    </tr>
  );
}

function FilterForm({ query, error }: { query: URLSearchParams; error: FieldError | null }) {
  const initial = () => Object.fromEntries(FILTER_KEYS.map((k) => [k, k === 'from' || k === 'to' ? (query.get(k) ? toLocalInput(query.get(k)!) : '') : (query.get(k) ?? '')])) as Record<FilterKey, string>;
  const [form, setForm] = useState(initial);
  const apply = (event: Event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (query.get('view')) next.set('view', query.get('view')!);
    for (const key of FILTER_KEYS) {
      const value = key === 'from' || key === 'to' ? (fromLocalInput(form[key]) ?? '') : form[key].trim();
      if (value) next.set(key, value);
    }
    navigate(`/readings?${next.toString()}`);
  };
  const input = (key: FilterKey, label: string, props: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input name={key} value={form[key]} onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} {...props} />
      <FieldProblem error={error} field={key} />
    </label>
  );
  return (
    <form class="filters" onSubmit={apply} noValidate aria-label="Filter readings">
      {input('deviceCode', 'Device code', { placeholder: 'A', maxLength: 20 })}
      {input('deviceNumber', 'Device number', { type: 'number', min: 1, step: 1, placeholder: '7' })}
      <label>
        Sensor type
        <select name="sensorType" value={form.sensorType} onChange={(e) => setForm({ ...form, sensorType: e.currentTarget.value })}>
          <option value="">any</option>
          {SENSOR_TYPES.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
        <FieldProblem error={error} field="sensorType" />
      </label>
      {input('from', 'From', { type: 'datetime-local', step: 1 })}
      {input('to', 'To', { type: 'datetime-local', step: 1 })}
      <div class="buttons">
        <button type="submit">Apply</button>
        <button
          type="button"
          class="quiet"
          onClick={() => {
            setForm(Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as Record<FilterKey, string>);
            navigate(query.get('view') ? `/readings?view=${query.get('view')}` : '/readings');
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** Change (everyone) or delete (admins) every reading the filter matches. */
function BulkActions({ me, filter, total, onDone }: { me: Me; filter: ReadingFilter; total: number | null; onDone: (message: string) => void }) {
  const [form, setForm] = useState<ChangesForm>({ sensorType: '', value: '', timestamp: '' });
  const [error, setError] = useState<FieldError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const act = async (task: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await task());
      setForm({ sensorType: '', value: '', timestamp: '' });
    } catch (e) {
      setError(fieldError(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const update = (event: Event) => {
    event.preventDefault();
    const changes = changesOf(form);
    if (isProblem(changes)) return setError(changes);
    void act(async () => `${plural((await session.request(UpdateReadingsDocument, { filter, changes })).updateReadings.affected)} changed`);
  };
  const remove = () => act(async () => `${plural((await session.request(DeleteReadingsDocument, { filter })).deleteReadings.affected)} deleted`);
  return (
    <details class="card bulk">
      <summary>All {total === null ? '' : plural(total)} matching the filter</summary>
      <form class="edit" onSubmit={update} noValidate aria-label="Change all matching readings">
        <ChangeFields form={form} setForm={setForm} error={error} prefix="bulk" />
        <div class="buttons">
          <button type="submit" disabled={busy}>
            Change all matching
          </button>
          {me.role === 'ADMIN' &&
            (confirming ? (
              <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
                Really delete {total === null ? 'them' : plural(total)}?
              </button>
            ) : (
              <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
                Delete all matching
              </button>
            ))}
        </div>
        <GeneralProblem error={error} fields={['sensorType', 'value', 'timestamp']} />
      </form>
    </details>
  );
}

export function ReadingsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const view = me.role === 'ADMIN' && query.get('view') === 'deleted' ? 'deleted' : 'active';
  const filter = filterFromQuery(query);
  const page = Math.max(1, Number(query.get('page')) || 1);
  const key = `${query.toString()}|${view}`;
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; undo?: ReadingFilter } | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const loaded = useLoad(async () => {
    if (view === 'deleted') {
      const { deletedReadings } = await session.request(DeletedReadingsDocument, { filter, page, limit: PAGE_SIZE });
      return { nodes: deletedReadings.nodes, total: deletedReadings.totalCount };
    }
    const { readings } = await session.request(ReadingsDocument, { filter, page, limit: PAGE_SIZE, withTotal: true });
    return { nodes: readings.nodes, total: readings.totalCount ?? 0 };
  }, [key]);
  // Problems with the filter come back from the query: they are shown at the filter's fields.
  const filterProblem = loaded.cause ? fieldError(loaded.cause) : null;

  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    navigate(`/readings?${next.toString()}`);
  };
  const done = (text: string, undo?: ReadingFilter) => {
    setEditing(null);
    setRowError(null);
    setNotice({ text, undo });
    loaded.reload();
  };
  const rowAction = async (task: () => Promise<void>) => {
    setRowError(null);
    try {
      await task();
    } catch (e) {
      setRowError(fieldError(e).message);
    }
  };
  const deleteOne = (r: ReadingFields) =>
    rowAction(async () => done(`${plural((await session.request(DeleteReadingsDocument, { filter: exactFilter(r) })).deleteReadings.affected)} deleted`, exactFilter(r)));
  const restore = (filterToRestore: ReadingFilter) =>
    rowAction(async () => done(`${plural((await session.request(RestoreReadingsDocument, { filter: filterToRestore })).restoreReadings.affected)} restored`));

  const total = loaded.data?.total ?? null;
  const pages = total === null ? 1 : Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <main>
      <div class="heading">
        <h1>Readings</h1>
        {me.role === 'ADMIN' && (
          <div class="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={view === 'active'} onClick={() => go({ view: null, page: null })}>
              Active
            </button>
            <button type="button" role="tab" aria-selected={view === 'deleted'} onClick={() => go({ view: 'deleted', page: null })}>
              Deleted
            </button>
          </div>
        )}
      </div>
      <FilterForm key={query.toString()} query={query} error={filterProblem} />
      <GeneralProblem error={filterProblem} fields={FILTER_KEYS} />
      {view === 'active' ? (
        <BulkActions
          me={me}
          filter={filter}
          total={total}
          onDone={(text) => done(text)}
        />
      ) : (
        <p>
          <button type="button" onClick={() => void restore(filter)}>
            Restore all matching
          </button>
        </p>
      )}
      <p class="notice" role="status" data-testid="notice">
        {notice?.text ?? ''}
        {notice?.undo && me.role === 'ADMIN' && (
          <button type="button" class="link" onClick={() => void restore(notice.undo!)}>
            Undo
          </button>
        )}
      </p>
      {rowError && (
        <p class="error" role="alert">
          {rowError}
        </p>
      )}
      <div class="table-wrap">
        <table class="readings" data-testid="readings">
          <thead>
            <tr>
              <th>Time</th>
              <th>Device</th>
              <th class="wide-only">Type</th>
              <th class="num">Value</th>
              <th class="wide-only">{view === 'deleted' ? 'Deleted' : 'Edited'}</th>
              <th class="wide-only num">Id</th>
              <th>
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(loaded.data?.nodes ?? []).map((r) =>
              editing === r.id ? (
                <EditRow key={r.id} reading={r} onDone={(text) => done(text)} onCancel={() => setEditing(null)} />
              ) : (
                <tr key={r.id} data-reading={r.id}>
                  <td class="time" title={formatTime(r.timestamp)}>
                    {formatShortTime(r.timestamp)}
                  </td>
                  <td>{`${r.deviceCode}-${r.deviceNumber}`}</td>
                  <td class="wide-only">{r.sensorType}</td>
                  <td class="num">{formatValue(r.value, r.sensorType)}</td>
                  <td class="wide-only">{view === 'deleted' ? `${formatTime(r.deletedAt)} by ${r.deletedBy ?? '?'}` : r.version > 0 ? `${r.version}× by ${r.updatedBy ?? '?'}` : ''}</td>
                  <td class="wide-only num">{r.id}</td>
                  <td>
                    <div class="actions">
                    {view === 'active' ? (
                      <>
                        <button type="button" class="small" onClick={() => setEditing(r.id)}>
                          Edit
                        </button>
                        {me.role === 'ADMIN' && (
                          <button type="button" class="small danger" onClick={() => void deleteOne(r)}>
                            Delete
                          </button>
                        )}
                      </>
                    ) : (
                      <button type="button" class="small" onClick={() => void restore(exactFilter(r))}>
                        Restore
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              ),
            )}
            {loaded.data && loaded.data.nodes.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No readings match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
          Previous
        </button>
        <span data-testid="page-info">
          Page {page} of {pages}
          {total !== null && ` · ${plural(total)}`}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
          Next
        </button>
      </div>
    </main>
  );
}
