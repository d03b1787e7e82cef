/** Sensor types and the rules every reading obeys, whatever path it arrives by (SPEC §3). */

export const SENSOR_TYPES = ['temperature', 'humidity', 'pressure', 'co2', 'light'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

export interface SensorRange {
  unit: string;
  /** Valid range: a reading outside it is rejected. */
  min: number;
  max: number;
  /** Realistic range the simulator walks in: a narrower band of everyday values. */
  typicalMin: number;
  typicalMax: number;
}

export const SENSOR_RANGES: Record<SensorType, SensorRange> = {
  temperature: { unit: '°C', min: -50, max: 150, typicalMin: -10, typicalMax: 40 },
  humidity: { unit: '%', min: 0, max: 100, typicalMin: 20, typicalMax: 90 },
  pressure: { unit: 'hPa', min: 300, max: 1100, typicalMin: 960, typicalMax: 1050 },
  co2: { unit: 'ppm', min: 0, max: 10000, typicalMin: 400, typicalMax: 2000 },
  light: { unit: 'lux', min: 0, max: 200000, typicalMin: 0, typicalMax: 20000 },
};

export const DEVICE_CODE_PATTERN = /^[A-Z]{1,20}$/;
export const DEVICE_NUMBER_MAX = 2147483647;

export function isSensorType(value: string): value is SensorType {
  return (SENSOR_TYPES as readonly string[]).includes(value);
}

/** The error message for a value outside its type's range, or null when the value is valid. */
export function valueProblem(sensorType: SensorType, value: number): string | null {
  if (!Number.isFinite(value)) return 'value must be a finite number';
  const { min, max, unit } = SENSOR_RANGES[sensorType];
  if (value < min || value > max) {
    return `value ${value} is out of range for ${sensorType} (${min}…${max} ${unit})`;
  }
  return null;
}
