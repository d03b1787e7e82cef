import { builder } from '../builder.ts';
import type { SimulatorStatus } from '../core/simulators.ts';

const Simulator = builder.objectRef<SimulatorStatus>('Simulator').implement({
  description: 'A running simulator instance (one sensor type, many devices), found through NATS service discovery.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The instance id, `sim-<type>-<random>`, drawn at each start; also the prefix of its event ids.' }),
    sensorType: t.exposeString('sensorType'),
    running: t.exposeBoolean('running', { description: 'Measuring: false after stopSimulator until startSimulator.' }),
    intervalSeconds: t.exposeFloat('intervalSeconds', { description: 'Seconds between two readings of one device.' }),
    devices: t.exposeInt('devices'),
    published: t.float({ description: 'Readings acknowledged by the stream since the instance started.', resolve: (s) => s.published }),
    skipped: t.float({ description: 'Measurements not taken because publishing could not keep up (NATS slow or away).', resolve: (s) => s.skipped }),
    inFlight: t.exposeInt('inFlight', { description: 'Readings published and not yet acknowledged.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last publish error, if there was one.' }),
    startedAt: t.field({ type: 'DateTime', description: 'When the instance started.', resolve: (s) => s.startedAt }),
  }),
});

builder.queryFields((t) => ({
  simulators: t.field({
    type: [Simulator],
    description: 'The simulator instances that answer now (an instance that went away is not listed).',
    authScopes: { permission: 'controlSimulators' },
    resolve: (_r, _a, ctx) => ctx.services.simulators.list(ctx.caller),
  }),
}));

builder.mutationFields((t) => ({
  startSimulator: t.field({
    type: Simulator,
    description: 'Resumes measuring.',
    authScopes: { permission: 'controlSimulators' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.simulators.start(ctx.caller, String(args.id)),
  }),
  stopSimulator: t.field({
    type: Simulator,
    description: 'Stops measuring; the readings already taken are still published.',
    authScopes: { permission: 'controlSimulators' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.simulators.stop(ctx.caller, String(args.id)),
  }),
  setSimulatorInterval: t.field({
    type: Simulator,
    description: 'Sets the seconds between two readings of each device (5 to 86400); it applies from the next tick.',
    authScopes: { permission: 'controlSimulators' },
    args: { id: t.arg.id({ required: true }), seconds: t.arg.int({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.simulators.setInterval(ctx.caller, String(args.id), args.seconds),
  }),
}));
