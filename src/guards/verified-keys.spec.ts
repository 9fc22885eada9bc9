import { LAST_USED_INTERVAL_MS, VERIFIED_KEY_TTL_MS, VerifiedKeys } from './verified-keys';

describe('VerifiedKeys', () => {
  const key = { id: 'k1', prefix: 'abcd1234', roles: ['reader'] };

  it('trusts a verified key for its TTL only, and forgets every key on clear', () => {
    const cache = new VerifiedKeys();
    cache.set('h', key, 1_000);
    expect(cache.get('h', 1_000 + VERIFIED_KEY_TTL_MS - 1)).toEqual(key);
    expect(cache.get('h', 1_000 + VERIFIED_KEY_TTL_MS)).toBeUndefined();
    cache.set('h', key, 5_000);
    cache.clear();
    expect(cache.get('h', 5_001)).toBeUndefined();
  });

  it('writes last_used_at at most once per interval per key', () => {
    const cache = new VerifiedKeys();
    expect(cache.lastUsedDue('k1', 0 + LAST_USED_INTERVAL_MS)).toBe(true);
    expect(cache.lastUsedDue('k1', 1 + LAST_USED_INTERVAL_MS)).toBe(false);
    expect(cache.lastUsedDue('k2', 1 + LAST_USED_INTERVAL_MS)).toBe(true);
    expect(cache.lastUsedDue('k1', 2 * LAST_USED_INTERVAL_MS)).toBe(true);
  });
});
