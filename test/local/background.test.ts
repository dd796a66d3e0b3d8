import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backgroundBacklog, backgroundTurn, inBackground, STEPS_PER_EXTRA } from '../../local/background.js';

describe('backgroundTurn', () => {
  it('runs steps first come, first served', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => backgroundTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(backgroundBacklog()).toBe(0);
  });

  it('starts inBackground steps and backgroundTurn continuations in the one order they were scheduled', async () => {
    const order: string[] = [];
    const done: Promise<unknown>[] = [];
    // More than STEPS_PER_EXTRA, so some turns take several of them.
    const count = 3 * STEPS_PER_EXTRA;
    for (let n = 1; n <= count; n++) {
      if (n % 2 === 0) {
        done.push(
          new Promise<void>((resolve) =>
            inBackground(() => {
              order.push(`step ${n}`);
              // Its own microtasks come after the steps of the same turn, as a continuation's would.
              void Promise.resolve().then(() => order.push(`after ${n}`));
              resolve();
            }),
          ),
        );
      } else {
        done.push(backgroundTurn().then(() => order.push(`turn ${n}`)));
      }
    }
    await Promise.all(done);
    await new Promise((resolve) => setImmediate(resolve));
    const expected = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `turn ${i + 1}` : `step ${i + 1}`));
    expect(order.filter((o) => !o.startsWith('after'))).toEqual(expected);
    // A step's own microtasks never run before a step or continuation resumed in the same turn ahead of it.
    for (let n = 2; n < count; n += 2) expect(order.indexOf(`after ${n}`)).toBeGreaterThan(order.indexOf(`turn ${n - 1}`));
    expect(order).toHaveLength(count + count / 2);
  });

  it('keeps the order and the count of runs of either kind, a resolve taking one place in the backlog like a step', async () => {
    const order: string[] = [];
    const done: Promise<unknown>[] = [];
    // Runs of uneven length of both kinds, long enough that turns take several entries at once.
    const kinds = Array.from({ length: 5 * STEPS_PER_EXTRA + 3 }, (_, i) => (i % 3 === 0 || i % 7 === 0 ? 'turn' : 'step'));
    kinds.forEach((kind, i) => {
      if (kind === 'turn') done.push(backgroundTurn().then(() => order.push(`turn ${i}`)));
      else done.push(new Promise<void>((resolve) => inBackground(() => resolve(void order.push(`step ${i}`)))));
    });
    expect(backgroundBacklog()).toBe(kinds.length);
    await Promise.all(done);
    expect(order).toEqual(kinds.map((kind, i) => `${kind} ${i}`));
    expect(backgroundBacklog()).toBe(0);
  });

  it('takes one entry per turn while the backlog is short, whichever its kind', async () => {
    const order: string[] = [];
    let ticking = true;
    const tick = () => {
      order.push('tick');
      if (ticking) setImmediate(tick);
    };
    const done = [
      backgroundTurn().then(() => order.push('turn 1')),
      new Promise<void>((resolve) => inBackground(() => resolve(void order.push('step 2')))),
      backgroundTurn().then(() => order.push('turn 3')),
      backgroundTurn().then(() => order.push('turn 4')),
      new Promise<void>((resolve) => inBackground(() => resolve(void order.push('step 5')))),
    ];
    setImmediate(tick);
    await Promise.all(done);
    ticking = false;
    expect(order.slice(0, 9)).toEqual(['turn 1', 'tick', 'step 2', 'tick', 'turn 3', 'tick', 'turn 4', 'tick', 'step 5']);
  });

  it('reads a socket that became ready between two steps before the next step, not after the backlog', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    const [socket] = await accepted;
    try {
      let stepsDone = 0;
      let stepsDoneWhenRead = -1;
      socket.once('data', () => (stepsDoneWhenRead = stepsDone));
      const busy = (ms: number) => {
        const until = performance.now() + ms;
        while (performance.now() < until);
      };
      const steps = Array.from({ length: 30 }, (_, i) =>
        backgroundTurn().then(() => {
          if (i === 0) client.write('GET');
          busy(1);
          stepsDone++;
        }),
      );
      await Promise.all(steps);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stepsDoneWhenRead, 'the socket was never read').toBeGreaterThan(0);
      // One turn per step: the request written during step 1 waits for at most the step running when it arrived.
      expect(stepsDoneWhenRead).toBeLessThanOrEqual(2);
    } finally {
      client.destroy();
      socket.destroy();
      server.close();
    }
  });

  it('takes more steps per turn as the backlog grows, so a flood of requests cannot pile it up without end', async () => {
    const steps = 10 * STEPS_PER_EXTRA;
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all(Array.from({ length: steps }, () => backgroundTurn()));
    counting = false;
    // One step per turn would take `steps` turns; in proportion to the backlog, about STEPS_PER_EXTRA × ln(10) + ... .
    expect(turns).toBeLessThan(steps / 2);
    expect(turns).toBeGreaterThan(STEPS_PER_EXTRA);
  });
});
