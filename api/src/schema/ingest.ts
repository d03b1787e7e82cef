import { builder } from '../builder.ts';
import { SENSOR_TYPES } from '../../../schema/src/sensors.ts';
import { MAX_BATCH_READINGS, type IngestResult } from '../core/ingest.ts';

const ReadingInput = builder.inputType('ReadingInput', {
  description: 'A new reading, as the device measured it.',
  fields: (t) => ({
    sensorType: t.string({ required: true, description: SENSOR_TYPES.join(', ') }),
    value: t.float({ required: true, description: "Inside the type's valid range (e.g. humidity 0…100)." }),
    deviceCode: t.string({ required: true, description: '1–20 capital letters A–Z.' }),
    deviceNumber: t.int({ required: true, description: '1…2147483647.' }),
    // A String checked by the core (not the DateTime scalar), so that a bad one is reported with its reading's index like any other field.
    timestamp: t.string({ required: true, description: 'When it was measured: RFC 3339 with an offset, at most MAX_FUTURE_SECONDS (default 300) ahead of now.' }),
    seq: t.int({ description: 'Per-device, per-type counter from the source (1, 2, 3…), used to detect lost messages.' }),
  }),
});

const RecordReadingsResult = builder.objectRef<IngestResult>('RecordReadingsResult').implement({
  description: 'The batch is in the stream. Its readings are queryable once the projector has applied lastSequence (see systemStatus).',
  fields: (t) => ({
    accepted: t.exposeInt('accepted', { description: 'Readings recorded: the whole batch.' }),
    duplicates: t.exposeInt('duplicates', { description: 'Of those, how many the stream already held from an earlier try of the same batchId (stored once).' }),
    firstSequence: t.string({ nullable: true, description: 'Stream sequence of the first reading stored.', resolve: (r) => String(r.firstSequence) }),
    lastSequence: t.string({ nullable: true, description: 'Stream sequence of the last reading stored.', resolve: (r) => String(r.lastSequence) }),
  }),
});

builder.mutationFields((t) => ({
  recordReadings: t.field({
    type: RecordReadingsResult,
    authScopes: { permission: 'recordReadings' },
    description: `Records a batch of 1–${MAX_BATCH_READINGS} readings (DEVICE API keys and admins). One invalid reading refuses the whole batch (BAD_USER_INPUT with extensions.index and extensions.field); nothing is recorded then. Answers once the stream has stored every reading, before the projector has applied them.`,
    args: {
      readings: t.arg({ type: [ReadingInput], required: true }),
      batchId: t.arg.string({ description: 'Your name for this batch (1–200 characters): retrying with the same batchId within 2 minutes stores each reading once.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.ingest.record(ctx.caller, args),
  }),
}));
