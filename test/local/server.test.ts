import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontDoor } from '../../local/server.js';
import { jsonResponse, type HttpResponse } from '../../local/protocol/http.js';

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

describe('FrontDoor responses', () => {
  it('writes the handler headers in their order with a Content-Length of the body bytes, replacing one the handler set', async () => {
    door = new FrontDoor();
    door.use([
      async (req): Promise<HttpResponse> =>
        req.path === '/own-length'
          ? { statusCode: 201, headers: { 'x-first': 'a', 'content-length': '999', 'X-Mixed': 'b' }, body: 'héllo' }
          : req.path === '/lone'
            ? { statusCode: 200, headers: {}, body: 'a\ud800b' }
            : { statusCode: 200, headers: { 'content-type': 'text/plain', 'x-multi': ['1', '2'] as unknown as string }, body: Buffer.from('abc') },
    ]);
    const { port } = await door.listen(0, '127.0.0.1');
    const own = await rawExchange(port, 'GET /own-length HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(own).toMatch(/^HTTP\/1\.1 201 Created\r\nx-first: a\r\ncontent-length: 6\r\nX-Mixed: b\r\nDate: [^\r]+\r\nConnection: close\r\n\r\nhéllo$/);
    const plain = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(plain).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\nx-multi: 1\r\nx-multi: 2\r\ncontent-length: 3\r\nDate: [^\r]+\r\nConnection: close\r\n\r\nabc$/);
    // A lone surrogate goes out as U+FFFD's three bytes, counted in the Content-Length.
    const lone = await rawExchange(port, 'GET /lone HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(lone).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-length: 5\r\n[^]*\r\n\r\na\ufffdb$/);
    const head = await rawExchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\nx-multi: 1\r\nx-multi: 2\r\ncontent-length: 3\r\n/);
  });
});

describe('FrontDoor request bodies', () => {
  /** A door whose handler echoes what it was handed: method, path, query, body length and text, source address. */
  async function echoDoor(onError: (error: unknown) => void = () => {}): Promise<number> {
    door = new FrontDoor(onError);
    door.use([
      async (req) =>
        jsonResponse(200, { method: req.method, path: req.path, query: req.rawQuery, length: req.body.length, body: req.body.toString('utf8'), ip: req.sourceIp }),
    ]);
    return (await door.listen(0, '127.0.0.1')).port;
  }

  function bodyOf(answer: string): unknown {
    return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  }

  it('hands a request without Content-Length or Transfer-Encoding on with an empty body, and keeps the connection', async () => {
    const port = await echoDoor();
    const answer = await rawExchange(
      port,
      'GET /a/b?x=1&y HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
    expect(bodyOf(first!)).toEqual({ method: 'GET', path: '/a/b', query: 'x=1&y', length: 0, body: '', ip: '127.0.0.1' });
    expect(bodyOf(second!)).toEqual({ method: 'POST', path: '/c', query: '', length: 0, body: '', ip: '127.0.0.1' });
  });

  it('reads a Content-Length body and a chunked body whole, a GET one included', async () => {
    const port = await echoDoor();
    const sized = await rawExchange(port, 'GET /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhéll');
    expect(bodyOf(sized)).toMatchObject({ method: 'GET', length: 5, body: 'héll' });
    const chunked = await rawExchange(port, 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    expect(bodyOf(chunked)).toMatchObject({ method: 'POST', length: 5, body: 'abcde' });
  });

  it('answers 413 for a body over 12 MB without handing it on', async () => {
    let handled = false;
    door = new FrontDoor();
    door.use([
      async () => {
        handled = true;
        return jsonResponse(200, {});
      },
    ]);
    const { port } = await door.listen(0, '127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${port}/big`, { method: 'POST', body: Buffer.alloc(12 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
    expect(handled).toBe(false);
  });

  it('reports a request aborted in the middle of its body to onError and answers nothing', async () => {
    const errors: unknown[] = [];
    let reported: () => void = () => {};
    const onError = new Promise<void>((resolve) => (reported = resolve));
    const port = await echoDoor((error) => {
      errors.push(error);
      reported();
    });
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', () => setTimeout(() => socket.destroy(), 50));
    });
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => {});
    await onError;
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('aborted');
    expect(answer).toBe('');
  });
});
