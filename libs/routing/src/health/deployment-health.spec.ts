import { Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { catalogSchema, ModelConfig } from '../catalog/catalog.schema';
import { DeploymentHealth, HealthOutcome } from './deployment-health';

class ManualClock extends Clock {
  ms = 1_000_000;
  now(): Date {
    return new Date(this.ms);
  }
}

function modelWith(deploymentCount: number): ModelConfig {
  return catalogSchema.parse({
    providers: [{ id: 'p', type: 'mock' }],
    models: [
      {
        name: 'm',
        deployments: Array.from({ length: deploymentCount }, (_, i) => ({ provider: 'p', model: `d${i}` })),
        health: { failure_threshold: 3, cooldown_ms: 1_000, max_cooldown_ms: 4_000 },
      },
    ],
  }).models[0];
}

describe('DeploymentHealth', () => {
  let clock: ManualClock;
  let health: DeploymentHealth;
  const model = modelWith(2);

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    clock = new ManualClock();
    health = new DeploymentHealth(clock);
  });

  /** One whole attempt on a deployment, probe bookkeeping included. */
  const attempt = (name: string, outcome: HealthOutcome, on = model) =>
    health.finishAttempt(name, outcome, on, health.startAttempt(name));
  const failTimes = (name: string, times: number, on = model) => {
    for (let i = 0; i < times; i++) attempt(name, 'failure', on);
  };

  it('ejects after the configured number of consecutive failures, and a success resets the count', () => {
    failTimes('p/d0', 2);
    attempt('p/d0', 'success');
    failTimes('p/d0', 2);
    expect(health.isAvailable('p/d0')).toBe(true);
    attempt('p/d0', 'failure');
    expect(health.isAvailable('p/d0')).toBe(false);
    expect(health.availableInMs('p/d0')).toBe(1_000);
  });

  it('ignores neutral outcomes (client gone, rate limits)', () => {
    failTimes('p/d0', 2);
    attempt('p/d0', 'neutral');
    attempt('p/d0', 'failure');
    expect(health.isAvailable('p/d0')).toBe(false);
  });

  it('lets exactly one probe out after the cool-down; its success readmits the deployment', () => {
    failTimes('p/d0', 3);
    clock.ms += 1_000;
    expect(health.isAvailable('p/d0')).toBe(true);
    const probe = health.startAttempt('p/d0');
    expect(probe).toBe(true);
    expect(health.isAvailable('p/d0')).toBe(false);
    expect(health.startAttempt('p/d0')).toBe(false);
    health.finishAttempt('p/d0', 'success', model, probe);
    expect(health.isAvailable('p/d0')).toBe(true);
    expect(health.startAttempt('p/d0')).toBe(false);
  });

  it('doubles the cool-down each time a probe fails, up to the maximum', () => {
    failTimes('p/d0', 3);
    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const cooldown = health.availableInMs('p/d0');
      cooldowns.push(cooldown);
      clock.ms += cooldown;
      attempt('p/d0', 'failure');
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 4_000]);
  });

  it('starts again from the shortest cool-down once a readmitted deployment stayed healthy for a maximum cool-down', () => {
    failTimes('p/d0', 3);
    clock.ms += 1_000;
    attempt('p/d0', 'success');
    failTimes('p/d0', 3);
    expect(health.availableInMs('p/d0')).toBe(2_000);
    clock.ms += 2_000;
    attempt('p/d0', 'success');
    clock.ms += 4_000;
    failTimes('p/d0', 3);
    expect(health.availableInMs('p/d0')).toBe(1_000);
  });

  it('releases the probe slot when the probe says nothing about health', () => {
    failTimes('p/d0', 3);
    clock.ms += 1_000;
    attempt('p/d0', 'neutral');
    expect(health.isAvailable('p/d0')).toBe(true);
    expect(health.startAttempt('p/d0')).toBe(true);
  });

  it('never ejects more than half of a model’s deployments', () => {
    failTimes('p/d0', 3);
    failTimes('p/d1', 10);
    expect(health.isAvailable('p/d0')).toBe(false);
    expect(health.isAvailable('p/d1')).toBe(true);

    const four = modelWith(4);
    for (const name of ['p/d1', 'p/d2', 'p/d3']) failTimes(name, 3, four);
    expect(['p/d1', 'p/d2', 'p/d3'].filter((name) => !health.isAvailable(name))).toEqual(['p/d1']);
  });

  it('never ejects the only deployment of a model', () => {
    const single = modelWith(1);
    failTimes('p/d0', 10, single);
    expect(health.isAvailable('p/d0')).toBe(true);
  });

  it('keeps a rate-limited deployment out for its retry-after, capped by the maximum cool-down', () => {
    health.rateLimited('p/d0', 1_500, model.health);
    expect(health.isAvailable('p/d0')).toBe(false);
    clock.ms += 1_499;
    expect(health.isAvailable('p/d0')).toBe(false);
    clock.ms += 1;
    expect(health.isAvailable('p/d0')).toBe(true);
    health.rateLimited('p/d1', 60_000, model.health);
    expect(health.availableInMs('p/d1')).toBe(4_000);
    health.rateLimited('p/d1', undefined, model.health);
    expect(health.availableInMs('p/d1')).toBe(4_000);
  });
});
