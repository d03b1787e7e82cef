/**
 * A per-minute chart in SVG: the min…max band and the average line of each minute over
 * the window. Its box has a fixed height, so live data never moves the page around.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatClock, formatValue } from './format.ts';
import { MINUTE_MS, minuteOf, type MinuteBucket } from './series.ts';

const HEIGHT = 180;
const PAD = { left: 52, right: 12, top: 10, bottom: 22 };

function useWidth<T extends HTMLElement>(): [preact.RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(200, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Round bounds with a little air, so the band does not touch the frame. */
function yRange(buckets: MinuteBucket[]): [number, number] {
  let lo = Math.min(...buckets.map((b) => b.min));
  let hi = Math.max(...buckets.map((b) => b.max));
  if (!Number.isFinite(lo)) return [0, 1];
  const span = hi - lo || Math.max(1, Math.abs(hi) * 0.05);
  lo -= span * 0.1;
  hi += span * 0.1;
  return [lo, hi];
}

export interface ChartProps {
  sensorType: string;
  buckets: MinuteBucket[];
  now: number;
  minutes: number;
}

export function MinuteChart({ sensorType, buckets, now, minutes }: ChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const end = minuteOf(now) + MINUTE_MS;
  const start = end - minutes * MINUTE_MS;
  const [lo, hi] = yRange(buckets);
  const innerW = width - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  // A minute's point sits in the middle of its slot.
  const x = (ms: number) => PAD.left + ((ms + MINUTE_MS / 2 - start) / (end - start)) * innerW;
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * innerH;

  const band = buckets.length ? [...buckets.map((b) => `${x(b.start)},${y(b.max)}`), ...[...buckets].reverse().map((b) => `${x(b.start)},${y(b.min)}`)].join(' ') : '';
  const avg = buckets.map((b) => `${x(b.start)},${y(b.sum / b.count)}`).join(' ');
  const ticks = [lo, (lo + hi) / 2, hi];
  const timeTicks = [start, start + (end - start) / 2, end];

  return (
    <div class="chart" ref={ref} style={{ height: `${HEIGHT}px` }}>
      <svg width={width} height={HEIGHT} role="img" aria-label={`${sensorType}: minimum, average and maximum per minute over the last ${minutes} minutes`}>
        {ticks.map((t) => (
          <g key={`y${t}`}>
            <line class="grid" x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
            <text class="axis" x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {formatValue(t)}
            </text>
          </g>
        ))}
        {timeTicks.map((t, i) => (
          <text key={`x${i}`} class="axis" x={PAD.left + ((t - start) / (end - start)) * innerW} y={HEIGHT - 6} text-anchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}>
            {formatClock(t)}
          </text>
        ))}
        {buckets.length > 1 && <polygon class="band" points={band} />}
        {buckets.length > 1 && <polyline class="avg" points={avg} />}
        {buckets.map((b) => (
          <line key={`r${b.start}`} class="range" x1={x(b.start)} x2={x(b.start)} y1={y(b.max)} y2={y(b.min)} />
        ))}
        {buckets.map((b) => (
          <circle key={b.start} class="dot" cx={x(b.start)} cy={y(b.sum / b.count)} r={2.5}>
            <title>{`${formatClock(b.start)}: min ${formatValue(b.min)}, avg ${formatValue(b.sum / b.count)}, max ${formatValue(b.max)} (${b.count} readings)`}</title>
          </circle>
        ))}
        {buckets.length === 0 && (
          <text class="axis" x={width / 2} y={HEIGHT / 2} text-anchor="middle">
            no readings in the last {minutes} minutes
          </text>
        )}
      </svg>
    </div>
  );
}
