import { eventHash, GENESIS_HASH } from './audit-event';

describe('eventHash', () => {
  const event = {
    id: 1,
    occurred_at: '2025-01-02T03:04:05.006Z',
    actor: 'env:SWITCHYARD_ADMIN_KEY',
    action: 'team.create',
    target_type: 'team',
    target_id: 'a1',
    before: null,
    after: { id: 'a1', name: 'payments' },
    prev_hash: GENESIS_HASH,
  };

  it('is a SHA-256 that does not depend on key order inside before/after', () => {
    expect(eventHash(event)).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...event, after: { name: 'payments', id: 'a1' } })).toBe(eventHash(event));
  });

  it('changes with every field, the link to the previous event included', () => {
    const variants = [
      { id: 2 },
      { occurred_at: '2025-01-02T03:04:05.007Z' },
      { actor: 'someone-else' },
      { action: 'team.delete' },
      { target_id: 'a2' },
      { before: {} },
      { after: { id: 'a1', name: 'payment' } },
      { prev_hash: 'f'.repeat(64) },
    ];
    const hashes = new Set([eventHash(event), ...variants.map((change) => eventHash({ ...event, ...change }))]);
    expect(hashes.size).toBe(variants.length + 1);
  });
});
