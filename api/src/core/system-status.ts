/** Stream head, projector position and lag: is the read model keeping up? */
import type { JetStreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import type { StreamNames } from '../../../schema/src/subjects.ts';

export interface SystemStatus {
  streamName: string;
  streamHead: number;
  streamMessages: number;
  projectorPosition: number;
  projectorLastEventAt: string | null;
  lag: number;
  deadLetters: number;
}

export class SystemStatusService {
  constructor(
    private readonly db: pg.Pool,
    private readonly jsm: JetStreamManager,
    private readonly names: StreamNames,
  ) {}

  async read(): Promise<SystemStatus> {
    const [stream, deadLetters, checkpoint] = await Promise.all([
      this.jsm.streams.info(this.names.stream),
      this.jsm.streams.info(this.names.deadLetterStream).catch(() => null),
      // The projector's checkpoint row is named after the stream (projector/src/projector.ts).
      this.db.query<{ last_sequence: string; last_event_at: string | null }>(
        'SELECT last_sequence, last_event_at::text FROM projector_checkpoints WHERE name = $1',
        [`readings:${this.names.stream}`],
      ),
    ]);
    const position = Number(checkpoint.rows[0]?.last_sequence ?? 0);
    const head = stream.state.last_seq;
    return {
      streamName: this.names.stream,
      streamHead: head,
      streamMessages: stream.state.messages,
      projectorPosition: position,
      projectorLastEventAt: checkpoint.rows[0]?.last_event_at ?? null,
      lag: Math.max(0, head - position),
      deadLetters: deadLetters?.state.messages ?? 0,
    };
  }
}
