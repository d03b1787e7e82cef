/**
 * Issue #7: the API process is SIGKILLed while an `updateReadings` is in hand — at
 * random moments right after the request left the client, and once while it waited for
 * the (frozen, SIGSTOPped) projector after publishing the change. The change is applied
 * fully or not at all, and a retry with the same idempotency key, sent to the restarted
 * API, applies it exactly once: one change event in the stream, every matching reading
 * edited once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { login } from '../support/accounts.ts';
import { gqlClient } from '../support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { publishEvents, reading, T0 } from '../support/events.ts';
import { freePort, waitFor } from '../support/processes.ts';
import { ADMIN, Processes, readStreamEvents, startApiProcess, startProjectorProcess, streamHead, waitForCatchUp, type ApiProcess } from './support/stack.ts';

let env: TestEnv;
const processes = new Processes();

beforeAll(async () => {
  // No server is faulted here, only our API process: the shared services, in a database and stream of its own.
  env = await createTestEnv();
});

afterAll(async () => {
  await processes.killAll();
  await env?.cleanup();
});

const PER_DEVICE = 5;
const UPDATE = `mutation ($number: Int!, $value: Float!, $key: String!) {
  updateReadings(filter: { deviceCode: "KILL", deviceNumber: $number }, changes: { value: $value }, idempotencyKey: $key) { affected sequence } }`;

/** Kill moments: ms after the request was sent, or `waiting` (published, projector frozen). */
const MOMENTS = [2, 20, 'waiting'] as const;

describe('API killed during updateReadings', () => {
  it('applies each change fully or not at all, and exactly once after a retry with the same idempotency key', async () => {
    onTestFailed(() => console.log(processes.report()));
    const port = await freePort();
    const projector = startProjectorProcess(processes, env);
    let api: ApiProcess = await startApiProcess(processes, env, port);
    const token = (await login(gqlClient(api.url), ADMIN.username, ADMIN.password)).accessToken;
    const events = MOMENTS.flatMap((_, i) => Array.from({ length: PER_DEVICE }, (__, k) => reading({ deviceCode: 'KILL', deviceNumber: i + 1, value: 20, at: T0 + k })));
    await publishEvents(jetstream(env.nc), env.names, events);
    await waitForCatchUp(env, 30_000);

    const outcomes: { moment: (typeof MOMENTS)[number]; appliedBeforeRetry: boolean }[] = [];
    for (const [i, moment] of MOMENTS.entries()) {
      const number = i + 1;
      const variables = { number, value: 50 + number, key: `kill-${number}` };
      const headBefore = await streamHead(env.nc, env.names.stream);
      if (moment === 'waiting') projector.child.kill('SIGSTOP');
      const request = fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: UPDATE, variables }),
      }).then(
        (response) => response.status,
        () => 'connection lost' as const,
      );
      if (moment === 'waiting') {
        await waitFor(async () => (await streamHead(env.nc, env.names.stream)) > headBefore, 'the API to publish the change', 20_000, 10);
      } else {
        await sleep(moment);
      }
      await api.process.kill('SIGKILL');
      if (moment === 'waiting') projector.child.kill('SIGCONT');
      // The request died with the API (on a fast machine a timed kill may come just after the answer: then it was 200).
      const answered = await request;
      expect(moment === 'waiting' ? ['connection lost'] : ['connection lost', 200]).toContain(answered);

      // All or nothing: the readings are edited exactly when the change event made it into the stream.
      await waitForCatchUp(env, 30_000);
      const before = await changeState(number);
      expect(before.events.length).toBeLessThanOrEqual(1);
      const applied = before.events.length === 1;
      expect(before.rows).toEqual(Array.from({ length: PER_DEVICE }, () => (applied ? { value: 50 + number, version: 1 } : { value: 20, version: 0 })));
      outcomes.push({ moment, appliedBeforeRetry: applied });

      // The client retries with the same key on the restarted API: applied once, whichever case it was.
      api = await startApiProcess(processes, env, port);
      for (let retry = 0; retry < 2; retry++) {
        const answer = await gqlClient(api.url)<{ updateReadings: { affected: number; sequence: string } }>(UPDATE, variables, token);
        expect(answer.errors).toBeUndefined();
        const after = await changeState(number);
        expect(after.events).toHaveLength(1);
        expect(answer.data?.updateReadings).toEqual({ affected: PER_DEVICE, sequence: String(after.events[0]!.sequence) });
        expect(after.rows).toEqual(Array.from({ length: PER_DEVICE }, () => ({ value: 50 + number, version: 1 })));
        expect(after.results).toEqual([{ command_id: after.events[0]!.commandId, affected: PER_DEVICE }]);
      }
    }
    // The frozen-projector kill always lands after the publish: that case, the one a retry could double, did happen.
    expect(outcomes.find((o) => o.moment === 'waiting')?.appliedBeforeRetry).toBe(true);
    expect(projector.child.exitCode).toBeNull();
    expect(await projector.kill('SIGTERM')).toBe(0);
    expect(await api.process.kill('SIGTERM')).toBe(0);
  });
});

/** The change events in the stream for device KILL/`number`, and what the read model holds for it. */
async function changeState(number: number) {
  const events = (await readStreamEvents(env.nc, env.names.stream, env.names.prefix)).flatMap((e) =>
    e.event.type === 'ReadingsEdited' && e.event.data.filter.deviceNumber === number ? [{ sequence: e.sequence, commandId: e.event.data.commandId }] : [],
  );
  const rows = await env.db.query<{ value: number; version: number }>("SELECT value, version FROM readings WHERE device_code = 'KILL' AND device_number = $1 ORDER BY id", [number]);
  const results = await env.db.query<{ command_id: string; affected: number }>('SELECT command_id, affected FROM change_results WHERE command_id = ANY($1::text[])', [events.map((e) => e.commandId)]);
  return { events, rows: rows.rows, results: results.rows };
}
