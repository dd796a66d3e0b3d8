import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StackModel, StackResource } from '../../../local/cloudformation/types.js';
import { handleJson, jsonTarget, type JsonService } from '../../../local/protocol/json.js';

/** A throwaway HTTP server answering one awsJson service, for real SDK clients in tests. */
export async function serveJson(service: JsonService): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        rawQuery: url.search.slice(1),
        headers: req.headers,
        body: Buffer.concat(chunks),
        sourceIp: '127.0.0.1',
      };
      const operation = jsonTarget(request, service);
      if (operation === undefined) {
        res.writeHead(404).end();
        return;
      }
      void handleJson(request, service, operation).then((response) => {
        res.writeHead(response.statusCode, response.headers).end(response.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SDK client settings for the local endpoint. */
export function clientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
}

/** A minimal StackModel holding the given resources. */
export function fakeStack(resources: Array<Partial<StackResource> & Pick<StackResource, 'logicalId' | 'type'>>): StackModel {
  const full: StackResource[] = resources.map((r) => ({ properties: {}, ref: r.logicalId, attributes: {}, metadata: {}, ...r }));
  return {
    stackName: 'TestStack',
    stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/TestStack/1',
    env: { account: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
    assemblyDir: '/nonexistent',
    resources: new Map(full.map((r) => [r.logicalId, r])),
    outputs: [],
    resourcesOfType: (type) => full.filter((r) => r.type === type),
    assetDir: () => '/nonexistent',
  };
}
