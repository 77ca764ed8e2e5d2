import { getHeapSpaceStatistics } from 'node:v8';
import { releaseStartUpHeap } from './start-up-heap';

const newSpaceBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;

/** Objects that live through a few scavenges, as module loading makes: V8 grows the young generation. */
function allocateLikeStartUp(): number {
  let kept: Array<{ i: number; text: string }> = [];
  for (let round = 0; round < 50; round++) kept = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `${i}` }));
  return kept.length;
}

describe('releaseStartUpHeap', () => {
  it('shrinks a young generation that start-up grew', async () => {
    expect(allocateLikeStartUp()).toBe(20_000);
    const grown = newSpaceBytes();

    await releaseStartUpHeap();

    expect(newSpaceBytes()).toBeLessThan(grown);
  });
});
