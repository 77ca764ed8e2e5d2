import { eventHash, GENESIS_HASH } from './audit-event';

describe('eventHash', () => {
  const event = {
    id: 1,
    occurred_at: '2025-01-02T03:04:05.006Z',
    actor: 'env:SWITCHYARD_ADMIN_KEY',
    actor_role: null,
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

  it('hashes an event without a role exactly as before roles existed, so stored chains still verify', () => {
    // The hash this event had when events carried no role.
    expect(eventHash(event)).toBe('9e947238d0c8841fd7ab7aae169b7a96b6b2674ec3483b60b90a61aa98712c07');
  });

  it('changes with every field, the actor’s role and the link to the previous event included', () => {
    const variants = [
      { id: 2 },
      { occurred_at: '2025-01-02T03:04:05.007Z' },
      { actor: 'someone-else' },
      { actor_role: 'owner' },
      { actor_role: 'team_admin' },
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
