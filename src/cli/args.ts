// Argument parsing for the command line: node:util's parseArgs, plus the value types the commands
// take (HOST:PORT, sizes, counts, seconds). Every bad value becomes a UsageError whose message is
// the one line the user sees.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: printed as one line, exit status 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A listen or upstream address. */
export interface HostPort {
  host: string;
  port: number;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, with its errors turned into one-line UsageErrors. */
export function parse<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    // parseArgs explains over several lines; the first says what is wrong
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${command}: ${message} (see tls-resumption ${command} --help)`);
  }
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0 asks the system for a free one when listening. */
export function hostPort(flag: string, value: string | undefined, allowZero: boolean): HostPort {
  if (value === undefined) throw new UsageError(`${flag} HOST:PORT is required`);
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535 || (port === 0 && !allowZero)) {
    throw new UsageError(`${flag} must be HOST:PORT (e.g. 127.0.0.1:8443), got '${value}'`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

/** A whole number from `min` to `max`. */
export function integer(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
};

/** A size in bytes: `65536`, `64MB`, `64MiB`, `1.5GiB`. */
export function size(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > max) {
    throw new UsageError(`${flag} must be a size such as 64MB or 256MiB (at most ${max} bytes), got '${value}'`);
  }
  return bytes;
}

/** `on` or `off`. */
export function onOff(flag: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`${flag} must be 'on' or 'off', got '${value}'`);
}
