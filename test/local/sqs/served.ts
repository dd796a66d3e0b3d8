import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { sqsApi } from '../../../local/sqs/api.js';
import type { SqsService } from '../../../local/sqs/service.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';

/**
 * `service`'s SQS API served through the runtime's front door, with an SDK
 * client on it, for the tests of the enclosing `describe`: opened in a
 * `beforeAll` (so read `sqs` and `endpoint` inside tests and later hooks),
 * closed after them.
 */
export function servedSqs(service: SqsService): { readonly sqs: SQSClient; readonly endpoint: string } {
  let server: Served | undefined;
  let client: SQSClient | undefined;
  beforeAll(async () => {
    server = await serveApis({ json: [sqsApi(service)] });
    client = new SQSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });
  return {
    get sqs() {
      return client!;
    },
    get endpoint() {
      return server!.endpoint;
    },
  };
}
