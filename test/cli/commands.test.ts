// The command line's other commands and its refusals: each bad argument exits non-zero with one
// clear line and no stack trace.
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

describe('bad arguments', () => {
  const port = async (): Promise<{ server: net.Server; port: number }> => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, port: (server.address() as net.AddressInfo).port };
  };

  test.each([
    ['an unknown flag', ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--bogus'], /Unknown option '--bogus'/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    [
      'an unreadable certificate',
      [
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--upstream',
        '127.0.0.1:9',
        '--cert',
        '/nonexistent.pem',
        '--key',
        '/nonexistent.key',
      ],
      /cannot read --cert \/nonexistent.pem: ENOENT/,
    ],
    [
      'a certificate without a key',
      ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--cert', '/etc/hostname'],
      /--cert and --key go together/,
    ],
    [
      'a bad size',
      ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--memory', '12 parsecs'],
      /--memory must be a size/,
    ],
    ['a bad address', ['serve', '--listen', 'localhost', '--upstream', '127.0.0.1:9'], /--listen must be HOST:PORT/],
    ['a missing upstream', ['serve', '--listen', '127.0.0.1:0'], /--upstream HOST:PORT is required/],
    [
      'a bad tickets value',
      ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--tickets', 'maybe'],
      /--tickets must be 'on' or 'off'/,
    ],
    ['a bad count', ['demo', '--connections', '-5'], /--connections|Option '--connections/],
  ])('%s', async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a port in use', async () => {
    const busy = await port();
    try {
      const r = await runCli(['serve', '--listen', `127.0.0.1:${busy.port}`, '--upstream', '127.0.0.1:9']);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot listen on 127.0.0.1:\d+ for TLS: EADDRINUSE/);
    } finally {
      busy.server.close();
    }
  });
});

describe('help', () => {
  test.each([['serve'], ['demo'], ['bench']])('%s --help', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: tls-resumption ${command}`);
  });
});

describe('demo', () => {
  test('runs with and without the cache and reports a resumption rate above 90 %', async () => {
    const r = await runCli(['demo', '--connections', '400', '--clients', '8']);
    expect(r.status).toBe(0);
    const rate = /resumption rate ([\d.]+) % with the cache/.exec(r.stdout);
    expect(rate).not.toBeNull();
    expect(Number(rate![1])).toBeGreaterThan(90);
    expect(r.stdout).toMatch(/resumption rate\s+[\d.]+ %\s+0\.0 %/);
  });
});
