import { DeliveryQueue } from './delivery';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const turn = () => new Promise((r) => setImmediate(r));

describe('DeliveryQueue', () => {
  it('hands updates over in order, across turns of the event loop, never all in the turn that queued them', async () => {
    const q = new DeliveryQueue(10);
    const done: number[] = [];
    for (let i = 0; i < 30; i++) q.push(() => (busy(2), done.push(i)));
    expect(done).toEqual([]); // nothing runs inside push
    const seenBetween: number[] = [];
    while (q.length > 0) {
      await turn();
      seenBetween.push(done.length);
    }
    expect(done).toEqual([...Array(30).keys()]);
    // other work ran between slices: some turns saw part of the queue done, not all of it
    expect(seenBetween.some((n) => n > 0 && n < 30)).toBe(true);
    // a slice took several updates (the budget, not one per turn)
    expect(seenBetween[0]).toBeGreaterThan(1);
  });

  it('one slow update still goes through alone; clear drops what is left', async () => {
    const q = new DeliveryQueue(1);
    const done: string[] = [];
    q.push(() => (busy(5), done.push('slow')));
    q.push(() => done.push('next'));
    q.push(() => done.push('dropped'));
    await turn();
    expect(done).toEqual(['slow']);
    q.clear();
    for (let i = 0; i < 3; i++) await turn();
    expect(done).toEqual(['slow']);
    expect(q.length).toBe(0);
  });
});
