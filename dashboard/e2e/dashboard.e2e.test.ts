/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a
 * real stack: API serving the built page, projector, a simulator process, on a database
 * and stream of this file's own. Screenshots go to test-artifacts/dashboard/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login, register, type Account } from '../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { startService, waitFor, type ServiceProcess } from '../../test/support/processes.ts';
import { ensureDashboardBuilt } from '../build.ts';
import { LAPTOP, launchChromium, overflowing, PHONE, screenshot } from './browser.ts';

const ADMIN = { username: 'chief', password: 'dashboard admin password' };
const USER_PASSWORD = 'dashboard user password';
// Short-lived access tokens: the session must refresh them quietly while the tests run.
const ACCESS_TOKEN_TTL_SECONDS = 35;
const SEEDED = 30;

let env: TestEnv;
let stack: ApiStack;
let simulator: ServiceProcess;
let browser: Browser;
let base: string;
let user: Account;

async function gqlData<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await stack.gql<T>(query, variables, token ?? (await login(stack.gql, ADMIN.username, ADMIN.password)).accessToken);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data;
}

/** Half an hour of temperature readings of device Q-1, one a minute, so charts and tables have history. */
async function seedReadings(token: string): Promise<void> {
  const now = Date.now();
  const readings = Array.from({ length: SEEDED }, (_, i) => ({
    sensorType: 'temperature',
    value: 20 + (i % 7) / 2,
    deviceCode: 'Q',
    deviceNumber: 1,
    timestamp: new Date(now - (SEEDED - i) * 60_000).toISOString(),
    seq: i + 1,
  }));
  await gqlData('mutation ($readings: [ReadingInput!]!) { recordReadings(readings: $readings) { accepted } }', { readings }, token);
  await waitFor(
    async () => (await gqlData<{ readings: { totalCount: number } }>('{ readings(filter: { deviceCode: "Q" }) { totalCount } }', {}, token)).readings.totalCount === SEEDED,
    'the seeded readings to be projected',
  );
}

let lastPage: Page | null = null;

async function newPage(viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  lastPage = page;
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) void response.text().then((body) => console.error(`HTTP ${response.status()} ${response.url()}: ${body.slice(0, 300)}`), () => undefined);
  });
  return { context, page };
}

async function logIn(page: Page, username: string, password: string, path = '/'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('whoami').waitFor();
}

const storedTokens = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('sensor-dashboard.tokens') ?? 'null') as { accessToken: string; expiresAt: string } | null);

beforeAll(async () => {
  const [built] = await Promise.all([
    ensureDashboardBuilt(),
    (async () => {
      env = await createTestEnv();
      stack = await startApiStack(env, { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) });
    })(),
  ]);
  console.log(built);
  base = stack.url.replace(/\/graphql$/, '');
  simulator = startService('simulator/src/main.ts', env.env, ['--type', 'humidity', '--devices', '2', '--seed', '7']);
  const admin = await login(stack.gql, ADMIN.username, ADMIN.password);
  user = await register(stack.gql, 'viewer', { role: 'USER', token: admin.accessToken, password: USER_PASSWORD });
  await seedReadings(admin.accessToken);
  browser = await launchChromium();
  // The simulator answers the API and has published from both its devices.
  await waitFor(
    async () => {
      if (simulator.child.exitCode !== null) throw new Error(`the simulator exited: ${simulator.output()}`);
      const { simulators } = await gqlData<{ simulators: { published: number }[] }>('{ simulators { published } }', {});
      return simulators.length === 1 && simulators[0]!.published >= 2;
    },
    'the simulator to publish',
    30_000,
    250,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nsimulator output:\n${simulator.output()}`);
  });
}, 90_000);

afterEach(async (context) => {
  // What the browser showed when a test failed, next to the other screenshots.
  if (context.task.result?.state === 'fail' && lastPage && !lastPage.isClosed()) {
    await screenshot(lastPage, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  }
});

afterAll(async () => {
  await browser?.close();
  await simulator?.kill();
  await stack?.stop();
  await env?.cleanup();
});

describe('the dashboard', () => {
  it('is served at / with its assets, client routes fall back to the page, and GraphiQL stays at /graphql', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const route = await fetch(`${base}/devices/Q/1`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${base}/%2e%2e/package.json`)).status).toBe(404);
    const rest = await fetch(`${base}/api/v1/nothing-here`);
    expect(rest.headers.get('content-type')).toContain('application/json');
    const graphiql = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('GraphiQL');
  });

  it('logs an admin in, lists the devices with their status and shows live readings on a device page', async () => {
    const { context, page } = await newPage();
    await logIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByTestId('whoami').textContent()).resolves.toContain('chief');

    // The simulator's two devices show up online, among the seeded device Q-1.
    const devices = page.getByTestId('devices');
    await waitFor(async () => (await devices.locator('tr', { hasText: 'humidity' }).filter({ hasText: 'online' }).count()) === 2, 'two online humidity devices', 30_000, 250);
    await expect(devices.locator('tr[data-device="Q-1"]').textContent()).resolves.toContain('temperature');
    await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor();
    await screenshot(page, 'laptop-devices');
    // "Last seen" ticks every second and counts grow, yet the columns stay where they are.
    const columns = () => devices.locator('th').evaluateAll((cells) => cells.map((c) => Math.round(c.getBoundingClientRect().left)));
    const columnsBefore = await columns();
    await page.waitForTimeout(2500);
    expect(await columns()).toEqual(columnsBefore);

    const simulated = (await devices.locator('tr', { hasText: 'humidity' }).first().getAttribute('data-device'))!;
    // Status changes arrive over the live feed: with the page's own re-reads blocked, a device
    // told to sleep still shows as sleeping.
    const [code, number] = simulated.split('-');
    const command = (cmd: string) =>
      gqlData('mutation ($c: String!, $n: Int!, $cmd: DeviceCommand!) { sendDeviceCommand(deviceCode: $c, deviceNumber: $n, command: $cmd) { applied } }', { c: code, n: Number(number), cmd });
    await page.route('**/graphql', (route) => (route.request().postData()?.includes('query Devices') ? route.abort() : route.continue()));
    await command('SLEEP');
    await devices.locator(`tr[data-device="${simulated}"]`).filter({ hasText: 'sleeping' }).waitFor({ timeout: 10_000 });
    await page.unroute('**/graphql');
    await command('WAKE');
    await devices.getByRole('link', { name: simulated }).click();
    await page.waitForURL(`**/devices/${simulated.replace('-', '/')}`);
    // Readings arrive over the live feed: the count grows and the latest list fills, and nothing on the page moves.
    await page.getByTestId('chart-humidity').waitFor();
    const layout = () => Promise.all(['chart-humidity', 'live-readings'].map((id) => page.getByTestId(id).boundingBox()));
    const before = await layout();
    await waitFor(async () => Number(await page.getByTestId('live-count').textContent()) >= 2, 'two live readings', 30_000, 250);
    expect(await layout()).toEqual(before);
    await expect(page.getByTestId('live-readings').locator('li').first().textContent()).resolves.toMatch(/humidity \d/);
    await expect(page.getByTestId('chart-humidity').locator('circle.dot').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByTestId('minute-humidity').textContent()).resolves.toMatch(/min [\d.]+ · avg [\d.]+ · max [\d.]+ % \(\d+\)/);
    await screenshot(page, 'laptop-device-live');

    // An admin puts the device to sleep from its page; the simulator obeys, the status follows.
    await page.getByRole('button', { name: 'Sleep' }).click();
    await page.getByText('sleep: done').waitFor();
    await page.getByTestId('device-status').filter({ hasText: 'sleeping' }).waitFor();
    await page.getByRole('button', { name: 'Wake' }).click();
    await page.getByText('wake: done').waitFor();
    await page.getByTestId('device-status').filter({ hasText: 'online' }).waitFor({ timeout: 15_000 });

    // The seeded device's chart starts with the last half hour, one point a minute.
    await page.goto(`${base}/devices/Q/1`);
    await waitFor(async () => (await page.getByTestId('chart-temperature').locator('circle.dot').count()) === SEEDED, 'thirty minutes on the chart', 10_000, 100);
    await screenshot(page, 'laptop-device-history');
    await context.close();
  });

  it('edits a reading, showing the rule message next to the field when the value is out of range', async () => {
    const { context, page } = await newPage();
    await logIn(page, user.username, USER_PASSWORD, '/readings?deviceCode=Q&deviceNumber=1');
    const table = page.getByTestId('readings');
    await table.locator('tr[data-reading]').first().waitFor();
    await expect(page.getByTestId('page-info').textContent()).resolves.toContain(`${SEEDED} readings`);
    const id = (await table.locator('tr[data-reading]').first().getAttribute('data-reading'))!;
    expect(await table.locator('tr[data-reading]').count()).toBe(25);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('page-info').filter({ hasText: 'Page 2 of 2' }).waitFor();
    await waitFor(async () => (await table.locator('tr[data-reading]').count()) === SEEDED - 25, 'the second page', 5000, 100);
    await page.getByRole('button', { name: 'Previous' }).click();
    await table.locator(`tr[data-reading="${id}"]`).waitFor();

    await table.locator(`tr[data-reading="${id}"]`).getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: `Edit reading ${id}` });
    await form.getByLabel('Value').fill('500');
    await form.getByRole('button', { name: 'Save' }).click();
    const problem = form.locator('[data-field="value"]');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('value 500 is out of range for temperature (-50…150 °C)');
    await screenshot(page, 'laptop-edit-rule-message');

    await form.getByLabel('Value').fill('21.75');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('notice').filter({ hasText: '1 reading changed' }).waitFor();
    const { reading } = await gqlData<{ reading: { value: number; version: number; updatedBy: string } }>('query ($id: ID!) { reading(id: $id) { value version updatedBy } }', { id });
    expect(reading).toEqual({ value: 21.75, version: 1, updatedBy: 'viewer' });
    await expect(table.locator(`tr[data-reading="${id}"]`).textContent()).resolves.toContain('21.75');

    // Changing every matching reading without saying what to change: the rule's message.
    await page.getByText(/matching the filter/).click();
    const bulk = page.getByRole('form', { name: 'Change all matching readings' });
    await bulk.getByRole('button', { name: 'Change all matching' }).click();
    await expect(bulk.getByRole('alert').textContent()).resolves.toBe('at least one field to update must be provided');

    // A time range that ends before it starts: the filter's own rule message, at the field.
    await page.getByRole('form', { name: 'Filter readings' }).getByLabel('From').fill('2026-01-02T00:00:00');
    await page.getByRole('form', { name: 'Filter readings' }).getByLabel('To').fill('2026-01-01T00:00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('[data-field="from"]').textContent()).resolves.toBe('start time cannot be greater than end time');
    await context.close();
  });

  it('gives a user no delete buttons and no admin page', async () => {
    const { context, page } = await newPage();
    await logIn(page, user.username, USER_PASSWORD, '/readings?deviceCode=Q');
    const table = page.getByTestId('readings');
    await table.locator('tr[data-reading]').first().waitFor();
    expect(await table.getByRole('button', { name: 'Edit' }).count()).toBe(25);
    expect(await page.getByRole('button', { name: /delete/i }).count()).toBe(0);
    await page.getByText(/matching the filter/).click();
    expect(await page.getByRole('button', { name: /delete/i }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Deleted' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await screenshot(page, 'laptop-user-readings');
    await context.close();
  });

  it('lets an admin delete a reading and restore it, and manage simulators and users', async () => {
    const { context, page } = await newPage();
    await logIn(page, ADMIN.username, ADMIN.password, '/readings?deviceCode=Q&deviceNumber=1');
    const table = page.getByTestId('readings');
    const row = table.locator('tr[data-reading]').nth(1);
    await row.waitFor();
    const id = (await row.getAttribute('data-reading'))!;
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('notice').filter({ hasText: '1 reading deleted' }).waitFor();
    await table.locator(`tr[data-reading="${id}"]`).waitFor({ state: 'detached' });
    const deleted = await gqlData<{ deletedReadings: { nodes: { id: string; deletedBy: string }[] } }>('{ deletedReadings(filter: { deviceCode: "Q" }) { nodes { id deletedBy } } }', {});
    expect(deleted.deletedReadings.nodes).toEqual([{ id, deletedBy: ADMIN.username }]);

    await page.getByRole('tab', { name: 'Deleted' }).click();
    await table.locator(`tr[data-reading="${id}"]`).getByRole('button', { name: 'Restore' }).click();
    await page.getByTestId('notice').filter({ hasText: '1 reading restored' }).waitFor();
    await expect(gqlData<{ reading: { deletedAt: string | null } }>('query ($id: ID!) { reading(id: $id) { deletedAt } }', { id })).resolves.toEqual({ reading: { deletedAt: null } });

    await page.getByRole('link', { name: 'Admin' }).click();
    const sims = page.getByTestId('simulators');
    const simRow = sims.locator('tr[data-simulator]');
    await simRow.waitFor();
    await simRow.getByLabel(/interval of/).fill('4');
    await simRow.getByRole('button', { name: 'Set' }).click();
    await page.getByText('interval must be at least 5 seconds').waitFor();
    await simRow.getByLabel(/interval of/).fill('7');
    await simRow.getByRole('button', { name: 'Set' }).click();
    await page.getByText(/every 7 s/).waitFor();
    await page.getByLabel(`role of ${user.username}`).selectOption('ADMIN');
    await page.getByText(`${user.username} is now admin`).waitFor();
    await page.getByLabel(`role of ${user.username}`).selectOption('USER');
    await page.getByText(`${user.username} is now user`).waitFor();
    await screenshot(page, 'laptop-admin');
    await context.close();
  });

  it('fits a phone, keeps live data flowing past the access token\'s expiry by refreshing it quietly, and logs out', async () => {
    // One tab follows a simulated device: its feed connects with the access token of that
    // moment, and the server ends a subscription when its token expires. Readings must keep arriving.
    const { devices } = await gqlData<{ devices: { nodes: { deviceCode: string; deviceNumber: number }[] } }>('{ devices(filter: { sensorType: "humidity" }, first: 1) { nodes { deviceCode deviceNumber } } }', {});
    const device = devices.nodes[0]!;
    const live = await newPage(PHONE);
    await logIn(live.page, ADMIN.username, ADMIN.password, `/devices/${device.deviceCode}/${device.deviceNumber}`);
    await waitFor(async () => Number(await live.page.getByTestId('live-count').textContent()) >= 1, 'a live reading', 20_000, 250);
    const connectedWith = (await storedTokens(live.page))!;

    // Meanwhile, another tab checks the phone layout page by page.
    const { context, page } = await newPage(PHONE);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('devices').locator('tr[data-device]').first().waitFor();
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'phone-devices');
    await page.goto(`${base}/readings?deviceCode=Q`);
    await page.getByTestId('readings').locator('tr[data-reading]').first().waitFor();
    expect(await overflowing(page)).toEqual([]);
    // A reading's buttons are on screen, not scrolled off to the side of the table.
    const del = await page.getByTestId('readings').getByRole('button', { name: 'Delete' }).first().boundingBox();
    expect(del!.x + del!.width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone-readings');
    await page.goto(`${base}/devices/Q/1`);
    await page.getByTestId('chart-temperature').locator('circle.dot').first().waitFor();
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'phone-device');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await storedTokens(page)).toBeNull();
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await context.close();

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(connectedWith.expiresAt) - Date.now() + 2000)));
    const atExpiry = Number(await live.page.getByTestId('live-count').textContent());
    await waitFor(async () => Number(await live.page.getByTestId('live-count').textContent()) > atExpiry, 'a live reading after the token expired', 20_000, 250);
    // The page's requests in the meantime traded the refresh token for new pairs, unnoticed.
    expect((await storedTokens(live.page))!.accessToken).not.toBe(connectedWith.accessToken);
    expect(await live.page.getByRole('alert').count()).toBe(0);
    await expect(live.page.getByTestId('live-state').textContent()).resolves.toBe('live');
    await screenshot(live.page, 'phone-device-live');
    await live.context.close();
  });
});
