#!/usr/bin/env node
// The `sensorctl` bin: the CLI is TypeScript run through tsx, like every process of the project.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
