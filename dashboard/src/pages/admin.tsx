/** Admin: simulators (start, stop, interval), devices awaiting a target, users and roles. */
import { useState } from 'preact/hooks';
import {
  AssignDeviceTargetDocument,
  DevicesDocument,
  SetSimulatorIntervalDocument,
  SetUserRoleDocument,
  SimulatorsDocument,
  StartSimulatorDocument,
  StopSimulatorDocument,
  UsersDocument,
  type Role,
  type SimulatorFields,
} from '../../../sdk/index.ts';
import { fieldError, session, type FieldError } from '../api.ts';
import { Link } from '../app.tsx';
import { deviceName, formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';

function Outcome({ result }: { result: { ok: boolean; text: string } | null }) {
  return (
    <p class={result?.ok ? 'ok' : 'error'} role="status">
      {result?.text ?? ''}
    </p>
  );
}

/** Runs one admin action at a time and reports its outcome (the server's message when refused). */
function useAction(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; problem?: FieldError } | null>(null);
  const run = async (task: () => Promise<string>) => {
    setBusy(true);
    setResult(null);
    try {
      setResult({ ok: true, text: await task() });
      onDone();
    } catch (e) {
      const problem = fieldError(e);
      setResult({ ok: false, text: problem.message, problem });
    } finally {
      setBusy(false);
    }
  };
  return { busy, result, run };
}

function SimulatorRow({ sim, run, busy }: { sim: SimulatorFields; run: (task: () => Promise<string>) => Promise<void>; busy: boolean }) {
  const [seconds, setSeconds] = useState(String(sim.intervalSeconds));
  return (
    <tr data-simulator={sim.id}>
      <td class="mono">{sim.id}</td>
      <td>{sim.sensorType}</td>
      <td>{sim.running ? <span class="status status-online">running</span> : <span class="status status-offline">stopped</span>}</td>
      <td class="num">{sim.devices}</td>
      <td class="num wide-only">{sim.published.toLocaleString()}</td>
      <td>
        <form
          class="inline-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const { setSimulatorInterval } = await session.request(SetSimulatorIntervalDocument, { id: sim.id, seconds: Number(seconds) });
              return `${sim.id}: every ${setSimulatorInterval.intervalSeconds} s`;
            });
          }}
        >
          <input aria-label={`interval of ${sim.id} in seconds`} inputMode="numeric" size={4} value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
          <button type="submit" class="small" disabled={busy}>
            Set
          </button>
        </form>
      </td>
      <td class="num">
        {sim.running ? (
          <button type="button" class="small" disabled={busy} onClick={() => void run(async () => (await session.request(StopSimulatorDocument, { id: sim.id }), `${sim.id} stopped`))}>
            Stop
          </button>
        ) : (
          <button type="button" class="small" disabled={busy} onClick={() => void run(async () => (await session.request(StartSimulatorDocument, { id: sim.id }), `${sim.id} started`))}>
            Start
          </button>
        )}
      </td>
    </tr>
  );
}

function Simulators() {
  const sims = useLoad(() => session.request(SimulatorsDocument), [], 5000);
  const action = useAction(sims.reload);
  return (
    <section class="card">
      <h2>Simulators</h2>
      {sims.error && <p class="error">{sims.error}</p>}
      <div class="table-wrap">
        <table data-testid="simulators">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Type</th>
              <th>State</th>
              <th class="num">Devices</th>
              <th class="num wide-only">Published</th>
              <th>Interval (s)</th>
              <th>
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(sims.data?.simulators ?? []).map((sim) => (
              <SimulatorRow key={`${sim.id}:${sim.intervalSeconds}`} sim={sim} run={action.run} busy={action.busy} />
            ))}
            {sims.data?.simulators.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No simulator answers.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Outcome result={action.result} />
    </section>
  );
}

function AwaitingTarget() {
  const devices = useLoad(() => session.request(DevicesDocument, { filter: { status: 'AWAITING_TARGET' }, first: 20 }), [], 10_000);
  const action = useAction(devices.reload);
  const [names, setNames] = useState<Record<string, string>>({});
  const nodes = devices.data?.devices.nodes ?? [];
  return (
    <section class="card">
      <h2>Devices awaiting a target</h2>
      {nodes.length === 0 && <p class="muted">None.</p>}
      <ul class="plain">
        {nodes.map((d) => (
          <li key={deviceName(d)}>
            <form
              class="inline-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(async () => {
                  const { assignDeviceTarget } = await session.request(AssignDeviceTargetDocument, { deviceCode: d.deviceCode, deviceNumber: d.deviceNumber, target: { name: names[deviceName(d)] ?? '' } });
                  return assignDeviceTarget.applied ? `${deviceName(d)} has its target` : `${deviceName(d)} was not found`;
                });
              }}
            >
              <Link href={`/devices/${d.deviceCode}/${d.deviceNumber}`}>{deviceName(d)}</Link>
              <input aria-label={`target of ${deviceName(d)}`} placeholder="target name" value={names[deviceName(d)] ?? ''} onInput={(e) => setNames({ ...names, [deviceName(d)]: e.currentTarget.value })} />
              <button type="submit" class="small" disabled={action.busy}>
                Assign
              </button>
            </form>
          </li>
        ))}
      </ul>
      <Outcome result={action.result} />
    </section>
  );
}

function Users() {
  const users = useLoad(() => session.request(UsersDocument), []);
  const action = useAction(users.reload);
  const [form, setForm] = useState({ username: '', password: '', role: 'USER' as Role });
  return (
    <section class="card">
      <h2>Users</h2>
      <div class="table-wrap">
        <table data-testid="users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th class="wide-only">Since</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.users ?? []).map((u) => (
              <tr key={u.id} data-user={u.username}>
                <td>{u.username}</td>
                <td>
                  <select
                    aria-label={`role of ${u.username}`}
                    value={u.role}
                    disabled={action.busy}
                    onChange={(e) => {
                      const role = e.currentTarget.value as Role;
                      void action.run(async () => (await session.request(SetUserRoleDocument, { userId: u.id, role }), `${u.username} is now ${role.toLowerCase()}`));
                    }}
                  >
                    <option value="USER">user</option>
                    <option value="ADMIN">admin</option>
                  </select>
                </td>
                <td class="wide-only">{formatTime(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        class="edit"
        noValidate
        aria-label="Add a user"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const created = await session.register(form.username, form.password, form.role);
            setForm({ username: '', password: '', role: 'USER' });
            return `${created.user.username} added as ${created.user.role.toLowerCase()}`;
          });
        }}
      >
        <label>
          Username
          <input name="new-username" autocomplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </label>
        <label>
          Password
          <input name="new-password" type="password" autocomplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        </label>
        <label>
          Role
          <select name="new-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
            <option value="USER">user</option>
            <option value="ADMIN">admin</option>
          </select>
        </label>
        <div class="buttons">
          <button type="submit" disabled={action.busy}>
            Add user
          </button>
        </div>
      </form>
      <Outcome result={action.result} />
    </section>
  );
}

export function AdminPage() {
  return (
    <main>
      <h1>Admin</h1>
      <Simulators />
      <AwaitingTarget />
      <Users />
    </main>
  );
}
