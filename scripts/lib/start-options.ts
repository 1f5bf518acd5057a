/**
 * `npm start -- --port 8795 --ip 0.0.0.0`: the flags the README shows for `wrangler dev`, read
 * once here so the relay listens where the admin asked and the printed URLs say where that is.
 */

export interface StartOptions {
  /** The address wrangler dev binds (`--ip`). */
  ip: string;
  /** The port wrangler dev listens on (`--port`). */
  port: number;
}

export const DEFAULT_START: StartOptions = { ip: '127.0.0.1', port: 8787 };

export const START_USAGE = 'Usage: npm start -- [--port <1-65535>] [--ip <address>]   (PORT in the environment also sets the port)';

/** A flag npm start does not know, or a value it cannot use: shown with the usage line, exit code 2. */
export class StartUsageError extends Error {
  override name = 'StartUsageError';
}

function portOf(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new StartUsageError(`--port must be a whole number from 1 to 65535, not "${raw}".`);
  return port;
}

/** Reads `--port N`, `--port=N`, `--ip A`, `--ip=A` (the last one given wins); `PORT` is the fallback for the port. */
export function parseStartArgs(argv: readonly string[], env: { PORT?: string | undefined } = {}): StartOptions {
  const options: StartOptions = { ...DEFAULT_START, ...(env.PORT ? { port: portOf(env.PORT) } : {}) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(port|ip)(?:=(.*))?$/.exec(arg);
    if (!m) throw new StartUsageError(`Unknown argument "${arg}".`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new StartUsageError(`--${m[1]} needs a value.`);
    if (m[1] === 'port') options.port = portOf(value);
    else options.ip = value;
  }
  return options;
}

/**
 * The base URL to print and to poll. A wildcard bind (0.0.0.0, ::) is reached through loopback on
 * this machine; an IPv6 literal goes in brackets (RFC 3986 §3.2.2).
 */
export function baseUrlOf({ ip, port }: StartOptions): string {
  const host = ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' || ip === '[::]' ? '[::1]' : ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
  return `http://${host}:${port}`;
}

/** The arguments for `wrangler dev`. */
export function wranglerDevArgs({ ip, port }: StartOptions): string[] {
  return ['dev', '--ip', ip, '--port', String(port), '--test-scheduled'];
}
