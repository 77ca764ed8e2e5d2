import { deliveryBackoffMs } from './delivery-backoff';

describe('deliveryBackoffMs', () => {
  it('doubles per failed attempt, between half and all of the step', () => {
    expect(deliveryBackoffMs(1, 1_000, 600_000, () => 0)).toBe(500);
    expect(deliveryBackoffMs(1, 1_000, 600_000, () => 1)).toBe(1_000);
    expect(deliveryBackoffMs(3, 1_000, 600_000, () => 1)).toBe(4_000);
  });

  it('stays at the cap however many attempts failed: a failing webhook is retried forever at that pace', () => {
    expect(deliveryBackoffMs(12, 1_000, 600_000, () => 1)).toBe(600_000);
    expect(deliveryBackoffMs(10_000, 1_000, 600_000, () => 1)).toBe(600_000);
    expect(deliveryBackoffMs(10_000, 1_000, 600_000, () => 0)).toBe(300_000);
  });
});
