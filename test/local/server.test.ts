import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontDoor } from '../../local/server.js';
import { jsonResponse } from '../../local/protocol/http.js';

let door: FrontDoor | undefined;
afterEach(async () => {
  await door?.close();
  door = undefined;
});

/** Writes `text` on a raw socket and resolves with everything the server sends until it closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

describe('FrontDoor under slow or malformed clients', () => {
  it('answers a header timeout with 408, as Node and AWS do, and keeps serving', async () => {
    door = new FrontDoor(() => {}, { headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 50 });
    door.use([async () => jsonResponse(200, { ok: true })]);
    const { port } = await door.listen(0, '127.0.0.1');
    // Headers that never end.
    const answer = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const ok = await fetch(`http://127.0.0.1:${port}/`);
    expect(ok.status).toBe(200);
  });

  it('answers a malformed request line with 400', async () => {
    door = new FrontDoor();
    const { port } = await door.listen(0, '127.0.0.1');
    expect(await rawExchange(port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
  });
});
