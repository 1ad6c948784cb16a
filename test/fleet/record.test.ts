// The sealed record and the Redis key name, without Redis: what binds a record to its key, what
// opens and what does not.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { SessionKey } from '../../src/index.js';
import { expandKeyring } from '../../src/fleet/keyring.js';
import { openRecord, sealRecord } from '../../src/fleet/record.js';
import { redisKey } from '../../src/fleet/redis-key.js';

const [m1, m2] = expandKeyring('test', {
  current: { id: 'k1', secret: randomBytes(32) },
  previous: [{ id: 'k2', secret: randomBytes(64) }],
});
const NOW = 1_700_000_000_000;
const key: SessionKey = { partialKey: randomBytes(32), sessionId: randomBytes(32) };
const session = randomBytes(160);

describe('sealed records', () => {
  test('open to the same session; each seal has a fresh nonce', () => {
    const r1 = sealRecord(m1!, key, session, NOW + 1000);
    const r2 = sealRecord(m1!, key, session, NOW + 1000);
    expect(r1.length).toBe(2 + 2 + 8 + 12 + session.length + 16);
    expect(r1.subarray(12, 24).equals(r2.subarray(12, 24))).toBe(false);
    expect(r1.equals(r2)).toBe(false);
    const opened = openRecord([m1!, m2!], key, r1, NOW, 16384);
    expect(opened).toEqual({ session, expiresAt: NOW + 1000 });
    expect(session.equals(Buffer.from(session))).toBe(true); // input untouched
  });

  test('bound to session id, partial key and key id; a string partial key is its UTF-8 bytes', () => {
    const r = sealRecord(m1!, key, session, NOW + 1000);
    const open = (k: SessionKey, record = r, keys = [m1!, m2!]) => openRecord(keys, k, record, NOW, 16384);
    expect(open({ ...key, sessionId: randomBytes(32) })).toBe('forged');
    expect(open({ ...key, partialKey: randomBytes(32) })).toBe('forged');
    expect(open(key, r, [m2!])).toBe('unknown-key');
    // Relabelled as k2's record (same length id): the id is authenticated.
    const relabelled = Buffer.from(r);
    relabelled.write('k2', 2, 'ascii');
    expect(open(key, relabelled)).toBe('forged');
    const s = sealRecord(m2!, { partialKey: 'svc', sessionId: key.sessionId }, session, NOW + 1000);
    expect(open({ partialKey: Buffer.from('svc'), sessionId: key.sessionId }, s)).toEqual({ session, expiresAt: NOW + 1000 });
  });

  test('expired, truncated, oversized or of another version: not opened', () => {
    const r = sealRecord(m1!, key, session, NOW);
    expect(openRecord([m1!], key, r, NOW, 16384)).toBe('expired');
    expect(openRecord([m1!], key, r.subarray(0, 30), NOW - 1, 16384)).toBe('malformed');
    expect(openRecord([m1!], key, r, NOW - 1, 100)).toBe('malformed');
    const v2 = Buffer.from(r);
    v2[0] = 2;
    expect(openRecord([m1!], key, v2, NOW - 1, 16384)).toBe('malformed');
    expect(openRecord([m1!], key, new Uint8Array(0), NOW - 1, 16384)).toBe('malformed');
  });
});

describe('Redis key names', () => {
  test('an HMAC per keyring key of partial key and session id; neither appears in it', () => {
    const name = redisKey('p:', m1!, key);
    expect(name).toMatch(/^p:[A-Za-z0-9_-]{43}$/);
    expect(
      redisKey('p:', m1!, {
        partialKey: Uint8Array.from(key.partialKey as Uint8Array),
        sessionId: Uint8Array.from(key.sessionId),
      }),
    ).toBe(name);
    expect(redisKey('p:', m2!, key)).not.toBe(name);
    expect(redisKey('p:', m1!, { ...key, sessionId: randomBytes(32) })).not.toBe(name);
    expect(redisKey('p:', m1!, { ...key, partialKey: randomBytes(32) })).not.toBe(name);
    expect(name.includes(Buffer.from(key.sessionId).toString('base64url').slice(0, 8))).toBe(false);
  });

  test('the two keys derived from one secret differ from each other and from the secret', () => {
    const secret = randomBytes(32);
    const [m] = expandKeyring('test', { current: { id: 'x', secret } });
    const seal = m!.sealKey.export();
    const index = m!.indexKey.export();
    expect(seal.equals(index)).toBe(false);
    expect(seal.equals(secret) || index.equals(secret)).toBe(false);
    expect(seal.length).toBe(32);
  });
});
