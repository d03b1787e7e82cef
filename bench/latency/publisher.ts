/**
 * The latency benchmark's publisher, run as a process of its own so that its work does not
 * delay the observers' stamps. Publishes `--rate` readings/s for `--seconds` under
 * SUBJECT_PREFIX, writes its send and ack stamps (Float64Array by stream sequence) to
 * `<out>.sent` and `<out>.acked`, and prints one JSON line of counts.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { publishPaced } from './publish.ts';

const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string' } }, strict: true });
const [rate, seconds, out] = [Number(values.rate), Number(values.seconds), values.out];
if (!(rate > 0) || !(seconds > 0) || !out) throw new Error('usage: publisher.ts --rate <n> --seconds <s> --out <file prefix>');

const nc = await connect({ servers: (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(','), name: 'bench-latency-publisher', noAsyncTraces: true });
const published = await publishPaced(nc, process.env.SUBJECT_PREFIX ?? 'iot', rate, seconds);
await nc.close();
writeFileSync(`${out}.sent`, published.sent.buffer);
writeFileSync(`${out}.acked`, published.acked.buffer);
process.stdout.write(`${JSON.stringify({ published: { count: published.count, errors: published.errors, firstError: published.firstError, lateTicks: published.lateTicks } })}\n`);
