import { describe, expect, it } from 'vitest';
import { SENSOR_RANGES, SENSOR_TYPES } from '../../schema/src/sensors.ts';
import { createFleet, deviceCodeOf, deviceNumberRange, findDevice, measure, type Fleet, type Measurement } from './fleet.ts';
import { createRng } from './random.ts';

function identities(fleet: Fleet): string[] {
  return Array.from({ length: fleet.size }, (_, i) => `${deviceCodeOf(fleet, i)}${fleet.numbers[i]}`);
}

// Loops, not Math.min(...values): spreading 200,000 arguments overflows the stack.
function minOf(values: Iterable<number>): number {
  let min = Infinity;
  for (const v of values) min = Math.min(min, v);
  return min;
}

function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) max = Math.max(max, v);
  return max;
}

function readings(fleet: Fleet, rounds: number): Measurement[] {
  const out: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let device = 0; device < fleet.size; device++) out.push(measure(fleet, device));
  }
  return out;
}

describe('fleet', () => {
  it('draws the same devices and the same values from the same seed', () => {
    const a = createFleet('humidity', 300, createRng(42));
    const b = createFleet('humidity', 300, createRng(42));
    expect(identities(b)).toEqual(identities(a));
    expect(readings(b, 20)).toEqual(readings(a, 20));
  });

  it('draws other devices and values from another seed', () => {
    const a = createFleet('humidity', 300, createRng(42));
    const b = createFleet('humidity', 300, createRng(43));
    expect(identities(b)).not.toEqual(identities(a));
    expect(readings(b, 1).map((m) => m.value)).not.toEqual(readings(a, 1).map((m) => m.value));
  });

  it("gives each device a value sequence of its own, whatever the other devices did", () => {
    const a = createFleet('co2', 10, createRng(7));
    const b = createFleet('co2', 10, createRng(7));
    const aValues = [measure(a, 3), measure(a, 3), measure(a, 3)];
    measure(b, 0);
    measure(b, 9);
    const bValues = [measure(b, 3), measure(b, 9), measure(b, 3), measure(b, 3)];
    expect([bValues[0], bValues[2], bValues[3]]).toEqual(aValues);
  });

  it.each(SENSOR_TYPES)('keeps %s values inside the typical range over many steps', (sensorType) => {
    const { typicalMin, typicalMax } = SENSOR_RANGES[sensorType];
    const fleet = createFleet(sensorType, 50, createRng(1));
    const values = readings(fleet, 4000).map((m) => m.value);
    expect(minOf(values)).toBeGreaterThanOrEqual(typicalMin);
    expect(maxOf(values)).toBeLessThanOrEqual(typicalMax);
    // A walk, not noise: consecutive readings of one device stay within 1 % of the band.
    const first = values.filter((_, k) => k % 50 === 0);
    const biggestStep = maxOf(first.slice(1).map((v, k) => Math.abs(v - first[k]!)));
    expect(biggestStep).toBeLessThanOrEqual((typicalMax - typicalMin) * 0.01 + 0.01);
    // And it explores the band rather than sitting still.
    expect(maxOf(values) - minOf(values)).toBeGreaterThan((typicalMax - typicalMin) * 0.3);
  });

  it('rounds values to two decimals', () => {
    const fleet = createFleet('pressure', 20, createRng(5));
    for (const { value } of readings(fleet, 10)) expect(Math.round(value * 100) / 100).toBe(value);
  });

  it('hands each device seq 1, 2, 3… by exactly one', () => {
    const fleet = createFleet('light', 3, createRng(9));
    const seqs = readings(fleet, 4).filter((m) => m.deviceCode === deviceCodeOf(fleet, 1) && m.deviceNumber === fleet.numbers[1]).map((m) => m.seq);
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('draws distinct identities with one capital letter and a number from 1 to 1000', () => {
    const fleet = createFleet('temperature', 26_000, createRng(3));
    const ids = identities(fleet);
    expect(new Set(ids).size).toBe(26_000);
    expect(ids.every((id) => /^[A-Z](\d+)$/.test(id))).toBe(true);
    expect(minOf(fleet.numbers)).toBe(1);
    expect(maxOf(fleet.numbers)).toBe(1000);
  });

  it('finds each of its devices by code and number, and no other', () => {
    const fleet = createFleet('temperature', 20_000, createRng(6));
    for (let device = 0; device < fleet.size; device++) expect(findDevice(fleet, deviceCodeOf(fleet, device), fleet.numbers[device]!)).toBe(device);
    const ours = new Set(identities(fleet));
    const others = ['A', 'M', 'Z'].flatMap((code) => Array.from({ length: fleet.perLetter }, (_, k) => `${code}${k + 1}`)).filter((id) => !ours.has(id));
    expect(others.length).toBeGreaterThan(0);
    for (const id of others) expect(findDevice(fleet, id[0]!, Number(id.slice(1)))).toBe(-1);
    for (const [code, number] of [['AB', 1], ['a', 1], ['[', 1], ['A', 0], ['A', fleet.perLetter + 1], ['A', 1.5]] as const) {
      expect(findDevice(fleet, code, number)).toBe(-1);
    }
  });

  it('widens the number range to ceil(devices / 26) when 26,000 identities are not enough', () => {
    expect(deviceNumberRange(26_000)).toBe(1000);
    expect(deviceNumberRange(26_001)).toBe(1001);
    const fleet = createFleet('temperature', 200_000, createRng(4));
    expect(new Set(identities(fleet)).size).toBe(200_000);
    expect(maxOf(fleet.numbers)).toBeLessThanOrEqual(Math.ceil(200_000 / 26));
  });
});
