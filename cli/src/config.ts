/**
 * The CLI's stored logins: `<config dir>/sensorctl/config.json`, readable by its owner
 * only (0600, in a 0700 directory), one entry per server URL. Written atomically (a
 * temporary file renamed over the old one), so a reader never sees half a file.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Tokens } from '../../sdk/index.ts';
import { CliError, EXIT } from './errors.ts';

export interface SessionLogin extends Tokens {
  kind: 'session';
  username: string;
}

export interface ApiKeyLogin {
  kind: 'apiKey';
  apiKey: string;
}

export type StoredLogin = SessionLogin | ApiKeyLogin;

export interface ConfigFile {
  /** The server commands talk to when neither --url nor SENSORCTL_URL says otherwise. */
  current?: string;
  servers: Record<string, StoredLogin>;
}

/** SENSORCTL_CONFIG_DIR, else $XDG_CONFIG_HOME/sensorctl, else ~/.config/sensorctl. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SENSORCTL_CONFIG_DIR) return env.SENSORCTL_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'sensorctl');
}

export class ConfigStore {
  readonly file: string;
  private readonly lockFile: string;

  constructor(readonly dir: string) {
    this.file = join(dir, 'config.json');
    this.lockFile = join(dir, 'config.lock');
  }

  read(): ConfigFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<ConfigFile>;
      return { current: parsed.current, servers: parsed.servers ?? {} };
    } catch {
      throw new CliError(`${this.file} is not valid JSON: fix or delete it, then run \`sensorctl login\``, EXIT.error);
    }
  }

  write(config: ConfigFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  login(server: string): StoredLogin | null {
    return this.read().servers[server] ?? null;
  }

  saveLogin(server: string, login: StoredLogin): void {
    const config = this.read();
    config.servers[server] = login;
    config.current = server;
    this.write(config);
  }

  /** Keeps the entry's kind and username, replacing its tokens (after a refresh). */
  saveTokens(server: string, tokens: Tokens): void {
    const config = this.read();
    const login = config.servers[server];
    if (login?.kind !== 'session') return;
    config.servers[server] = { ...login, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
    this.write(config);
  }

  removeLogin(server: string): boolean {
    const config = this.read();
    if (!config.servers[server]) return false;
    delete config.servers[server];
    if (config.current === server) delete config.current;
    this.write(config);
    return true;
  }

  /**
   * Runs `task` holding the config lock (a file created exclusively), so that two CLI
   * invocations never spend the same refresh token. A lock older than `staleMs` is
   * left over from a killed process and is taken over.
   */
  async exclusive<T>(task: () => Promise<T>, { staleMs = 15_000, timeoutMs = 20_000 } = {}): Promise<T> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        closeSync(openSync(this.lockFile, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (this.lockAgeMs() > staleMs) unlinkSync(this.lockFile);
        else if (Date.now() > deadline) throw new CliError(`${this.lockFile} has been held for too long: delete it if no sensorctl is running`, EXIT.error);
        else await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
      }
    }
    try {
      return await task();
    } finally {
      try {
        unlinkSync(this.lockFile);
      } catch {
        // Taken over as stale by another process: nothing left to release.
      }
    }
  }

  private lockAgeMs(): number {
    try {
      return Date.now() - statSync(this.lockFile).mtimeMs;
    } catch {
      return 0;
    }
  }
}
