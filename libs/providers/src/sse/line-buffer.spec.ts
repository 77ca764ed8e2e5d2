import { LineBuffer } from './line-buffer';

describe('LineBuffer', () => {
  it('grows by doubling, but never past the longest line its owner accepts', () => {
    const line = new LineBuffer(1_000);
    const piece = Buffer.alloc(300, 'a');
    line.append(piece, 0, 300);
    line.append(piece, 0, 300); // 600 bytes: doubled from 300
    expect(line.bytes.length).toBe(600);
    line.append(piece, 0, 300); // 900 bytes: 1,200 would pass the cap
    expect(line.bytes.length).toBe(1_000);
    line.append(piece, 0, 100);
    expect(line.bytes.subarray(0, line.length).toString()).toBe('a'.repeat(1_000));
  });
});
