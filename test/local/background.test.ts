import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backgroundBacklog, backgroundTurn, STEPS_PER_EXTRA } from '../../local/background.js';

describe('backgroundTurn', () => {
  it('runs steps first come, first served', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => backgroundTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(backgroundBacklog()).toBe(0);
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
