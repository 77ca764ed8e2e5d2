import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpillFile, SpillQuota } from './spill-file';

interface Row {
  id: string;
  cost: bigint | null;
  at: Date;
  tags: Record<string, string> | null;
}

describe('SpillFile', () => {
  let dir: string;
  let quota: SpillQuota;
  const row = (id: string): Row => ({
    id,
    cost: 12_345_678_901_234_567n,
    at: new Date('2026-01-02T03:04:05.678Z'),
    tags: null,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spill-file-'));
    quota = { usedBytes: 0, maxBytes: 1 << 20 };
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives rows back oldest segment first, with bigints and dates as they went in', () => {
    const spill = new SpillFile<Row>(dir, 'ledger', quota);
    expect(spill.write([row('a'), row('b')])).toBe(true);
    expect(spill.write([{ ...row('c'), cost: null, tags: { $date: 'not a date' } }])).toBe(true);
    expect(spill.rows).toBe(3);

    const first = spill.oldest()!;
    expect(first.rows).toEqual([row('a'), row('b')]);
    expect(typeof first.rows[0].cost).toBe('bigint');
    expect(spill.oldest()!.rows).toEqual(first.rows); // read again until removed
    first.remove();
    expect(spill.oldest()!.rows).toEqual([{ ...row('c'), cost: null, tags: { $date: 'not a date' } }]);
    spill.oldest()!.remove();
    expect(spill.oldest()).toBeUndefined();
    expect(spill.rows).toBe(0);
    expect(quota.usedBytes).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses rows past the size limit the directory shares, keeping nothing of them', () => {
    quota = { usedBytes: 0, maxBytes: 300 };
    const ledger = new SpillFile<Row>(dir, 'ledger', quota);
    const evidence = new SpillFile<Row>(dir, 'evidence', quota);
    expect(ledger.write([row('a')])).toBe(true);
    expect(evidence.write([row('b')])).toBe(true);
    expect(ledger.write([row('c')])).toBe(false);
    expect(ledger.rows + evidence.rows).toBe(2);
    ledger.oldest()!.remove();
    expect(ledger.write([row('c')])).toBe(true);
  });

  it('takes over the segments of its kind an earlier process left, and skips a line cut short by a crash', () => {
    const earlier = new SpillFile<Row>(dir, 'ledger', quota);
    earlier.write([row('a')]);
    earlier.write([row('b')]);
    new SpillFile<Row>(dir, 'evidence', quota).write([row('x')]);
    writeFileSync(
      join(dir, 'ledger-crashed-00000000.jsonl'),
      '{"id":"c","cost":null,"at":{"$date":"2026-01-02T03:04:05.678Z"},"tags":null}\n{"id":"d","co',
    );

    const next = new SpillFile<Row>(dir, 'ledger', { usedBytes: 0, maxBytes: 1 << 20 });
    expect(next.rows).toBe(4); // lines on disk, the torn one included until it is read
    const ids: string[] = [];
    for (let segment = next.oldest(); segment; segment = next.oldest()) {
      ids.push(...segment.rows.map((r) => r.id));
      segment.remove();
    }
    expect(ids.sort()).toEqual(['a', 'b', 'c']);
    expect(readdirSync(dir).filter((name) => name.startsWith('ledger-'))).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.startsWith('evidence-'))).toHaveLength(1);
  });
});
