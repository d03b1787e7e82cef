/** Running `sensorctl` as a subprocess in tests: through its bin, with its own config dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/sensorctl.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  configDir: string;
  url: string;
  /** Written to stdin, which is then closed. */
  stdin?: string;
  env?: Record<string, string>;
}

/** The environment of a run: nothing of the caller's SENSORCTL_* settings leaks in. */
function cliEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SENSORCTL_')) delete env[key];
  return { ...env, SENSORCTL_CONFIG_DIR: options.configDir, SENSORCTL_URL: options.url, ...options.env };
}

export function startCli(args: string[], options: CliOptions): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(options.stdin ?? '');
  return child;
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
