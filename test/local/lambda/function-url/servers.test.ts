import { afterEach, describe, expect, it } from 'vitest';
import { FunctionUrlServers } from '../../../../local/lambda/function-url/servers.js';

const opened: FunctionUrlServers[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
const servers = () => {
  const s = new FunctionUrlServers();
  opened.push(s);
  return s;
};

describe('FunctionUrlServers', () => {
  it('serves each URL on its own port, keeps a port across opens and closes the servers of URLs that are gone', async () => {
    const s = servers();
    const first = await s.open(['S/A', 'S/B'], '127.0.0.1');
    const [a, b] = [first.get('S/A')!, first.get('S/B')!];
    expect(a).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(a).not.toBe(b);

    s.serve('S/A', async (req, port) => ({ statusCode: 200, headers: { 'set-cookie': ['x=1', 'y=2'] }, body: Buffer.from(`${req.method} ${req.path} ${port}`) }));
    const response = await fetch(`${a}p?q=1`);
    expect(await response.text()).toBe(`GET /p ${new URL(a).port}`);
    expect(response.headers.getSetCookie()).toEqual(['x=1', 'y=2']);
    // Without a handler (between two runtimes of a reload) the URL says so.
    expect((await fetch(b)).status).toBe(503);

    const again = await s.open(['S/A'], '127.0.0.1');
    expect(again.get('S/A')).toBe(a);
    await expect(fetch(b)).rejects.toThrow();
    s.detach();
    expect((await fetch(a)).status).toBe(503);
  });

  it('takes a free port when the one after the runtime port is in use', async () => {
    const blocker = servers();
    const taken = await blocker.open(['X/Taken'], '127.0.0.1');
    const base = Number(new URL(taken.get('X/Taken')!).port) - 1;
    const s = servers();
    const urls = await s.open(['S/A'], '127.0.0.1', base);
    expect(Number(new URL(urls.get('S/A')!).port)).not.toBe(base + 1);
  });
});
