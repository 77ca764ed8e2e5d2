import { forSlicesInTurns, isLongList } from './work-in-turns';

describe('work in turns', () => {
  it('calls the work for every slice, in order, covering the list exactly once', async () => {
    const slices: Array<[number, number]> = [];
    await forSlicesInTurns(10, (from, to) => slices.push([from, to]), { sliceItems: 3, turnMs: 0 });
    expect(slices).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
      [9, 10],
    ]);
  });

  it('lets other work run before it starts and between slices once a turn has lasted turnMs', async () => {
    const events: string[] = [];
    setImmediate(() => events.push('other'));
    const work = forSlicesInTurns(4, (from) => events.push(`slice ${from}`), { sliceItems: 1, turnMs: 0 });
    // Queued while the first slice waits for its own turn; with turnMs 0 each slice ends a turn.
    setImmediate(() => events.push('other 2'));
    await work;
    expect(events[0]).toBe('other');
    expect(events.indexOf('other 2')).toBeGreaterThan(events.indexOf('slice 0'));
    expect(events.indexOf('other 2')).toBeLessThan(events.indexOf('slice 3'));
  });

  it('keeps slices in one turn while the turn has time left', async () => {
    let others = 0;
    let working = true;
    const other = () => {
      others++;
      if (working) setImmediate(other);
    };
    setImmediate(other);
    await forSlicesInTurns(1_000, () => undefined, { sliceItems: 1, turnMs: 60_000 });
    working = false;
    // One turn to start in, then all 1,000 slices in it.
    expect(others).toBeLessThanOrEqual(2);
  });

  it('stops at the first slice that throws and rejects with its error', async () => {
    const seen: number[] = [];
    const walk = forSlicesInTurns(
      9,
      (from) => {
        seen.push(from);
        if (from === 3) throw new Error('bad item 4');
      },
      { sliceItems: 3, turnMs: 0 },
    );
    await expect(walk).rejects.toThrow('bad item 4');
    expect(seen).toEqual([0, 3]);
  });

  it('calls a list long only past one slice', () => {
    expect(isLongList(1_000)).toBe(false);
    expect(isLongList(1_001)).toBe(true);
    expect(isLongList(3, { sliceItems: 2, turnMs: 10 })).toBe(true);
  });
});
