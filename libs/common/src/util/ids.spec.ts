import { newId, randomHex, requestIdFrom } from './ids';

describe('ids', () => {
  it('draws distinct hex ids across refills of the pool', () => {
    // 16 bytes an id: 256 ids a refill, so this crosses several.
    const ids = Array.from({ length: 1_000 }, () => randomHex(16));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves a request larger than the pool', () => {
    expect(randomHex(5_000)).toMatch(/^[0-9a-f]{10000}$/);
  });

  it('makes request ids and prefixed ids in their documented shapes', () => {
    expect(requestIdFrom(undefined)).toMatch(/^req_[0-9a-f]{32}$/);
    expect(requestIdFrom('client-id-1')).toBe('client-id-1');
    expect(newId('spend_')).toMatch(/^spend_[0-9a-f]{24}$/);
  });
});
