import { FrontDoor } from '../../local/server.js';
import { awsApiHandler } from '../../local/aws-api.js';
import type { HttpHandler } from '../../local/protocol/http.js';
import type { JsonService } from '../../local/protocol/json.js';
import type { QueryService } from '../../local/protocol/query.js';

export interface Served {
  /** `http://127.0.0.1:<port>`, for an SDK client's `endpoint`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Serve handlers on a free port through the runtime's own front door, so a
 * real AWS SDK client can test one service's wire protocol in isolation.
 */
export async function serve(...handlers: HttpHandler[]): Promise<Served> {
  // A handler that throws answers 500, which the test then sees.
  const door = new FrontDoor();
  door.use(handlers);
  const { port } = await door.listen(0, '127.0.0.1');
  return { endpoint: `http://127.0.0.1:${port}`, close: () => door.close() };
}

/** Serve awsJson and Query services, routed as on the runtime's port. */
export function serveApis(apis: { json?: readonly JsonService[]; query?: readonly QueryService[] }): Promise<Served> {
  return serve(awsApiHandler({ json: apis.json ?? [], query: apis.query ?? [] }));
}

/** The credentials and region every test client uses: any well-formed values are accepted. */
export const TEST_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;
