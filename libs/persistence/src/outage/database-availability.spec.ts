import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PersistenceSettings } from '../persistence.config';
import { DatabaseAvailability } from './database-availability';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('DatabaseAvailability', () => {
  let up: boolean;
  let availability: DatabaseAvailability;
  let logged: string[];

  beforeEach(() => {
    up = true;
    const dataSource = { query: async () => (up ? [{}] : Promise.reject(refused())) };
    availability = new DatabaseAvailability(
      dataSource as unknown as DataSource,
      {
        outageGraceMs: 600_000,
      } as PersistenceSettings,
    );
    logged = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logged.push(`${level}: ${String(args[1])}`);
      });
    }
  });

  afterEach(() => {
    availability.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('goes down on the first unreachable error and logs the change once, however many follow', () => {
    expect(availability.noteFailure(refused())).toBe(true);
    for (let i = 0; i < 100; i++) availability.noteFailure(refused());
    expect(availability.reachable).toBe(false);
    expect(logged).toEqual([expect.stringMatching(/^warn: database unreachable/)]);
  });

  it('ignores errors that are not about reaching the database', () => {
    expect(availability.noteFailure(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(availability.reachable).toBe(true);
    expect(logged).toEqual([]);
  });

  it('comes back when a check answers, logs that once, and calls back whoever waits for it', async () => {
    const recovered = jest.fn();
    availability.onRecovery(recovered);
    up = false;
    expect(await availability.check()).toBe(false);
    expect(await availability.check()).toBe(false);
    up = true;
    expect(await availability.check()).toBe(true);
    expect(await availability.check()).toBe(true);
    expect(availability.reachable).toBe(true);
    expect(recovered).toHaveBeenCalledTimes(1);
    expect(logged).toEqual([
      expect.stringMatching(/^warn: database unreachable/),
      expect.stringMatching(/^log: database reachable again/),
    ]);
  });

  it('probes by itself while down and notices the recovery within about a second', async () => {
    availability.noteFailure(refused());
    up = true;
    const deadline = Date.now() + 3_000;
    while (!availability.reachable && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(availability.reachable).toBe(true);
  });

  it('turns a read that never answers into an unreachable error', async () => {
    const hung = new Promise<never>(() => undefined);
    const error = await availability.answerWithin(hung, 20).catch((caught: unknown) => caught);
    expect(availability.noteFailure(error)).toBe(true);
  });
});
