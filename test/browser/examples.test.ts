/**
 * Each example's dashboard as a person sees it: every resource of its
 * template on the page, each edge of `/_local/architecture` (the model the
 * page draws) drawn as an arrow between the right nodes, and one request
 * followed from its first hop to the function that ends it. Keeps a
 * screenshot per example in test-results/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { launchChromium } from './chromium.js';
import { repoRoot, startExampleForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';
import type { Architecture, ArchitectureNode, EdgeKind } from '../../local/dashboard/architecture.js';

const artifacts = path.join(repoRoot, 'test-results');

/** A node of the model by its type and logical id. */
interface NodeMatch {
  readonly type: string;
  readonly id: RegExp;
}

/** An edge the example is about: it must be in the model, and so drawn. */
interface EdgeMatch {
  readonly from: NodeMatch;
  readonly kind: EdgeKind;
  readonly to: NodeMatch;
}

interface Sent {
  /** Text of the journey row's title. */
  readonly title: string;
  /** The node of the function whose successful attempt ends the journey. */
  readonly endsAt: NodeMatch;
  /** Texts of the timeline's steps, in the order they must show. */
  readonly steps: readonly string[];
  /** A node where the request entered, and the count it must show. */
  readonly entered?: { readonly node: NodeMatch; readonly counts: string };
}

interface ExampleCase {
  readonly name: string;
  readonly edges: readonly EdgeMatch[];
  /** One action that starts a journey. */
  readonly act: (runtime: LocalRuntime, outputs: Readonly<Record<string, string>>) => Promise<Sent>;
}

const FN = 'AWS::Lambda::Function';
const QUEUE = 'AWS::SQS::Queue';
const fn = (id: RegExp): NodeMatch => ({ type: FN, id });
const queue = (id: RegExp): NodeMatch => ({ type: QUEUE, id });
const clientConfig = (runtime: LocalRuntime) => ({ endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

const CASES: readonly ExampleCase[] = [
  {
    name: 'sync-async-api',
    edges: [
      { from: { type: 'AWS::ApiGateway::RestApi', id: /^Api/ }, kind: 'integration', to: fn(/^Square/) },
      { from: fn(/^Square/), kind: 'on-success', to: queue(/^SuccessQueue/) },
      { from: fn(/^Square/), kind: 'on-failure', to: queue(/^FailureQueue/) },
    ],
    act: async (runtime) => {
      const response = await fetch(`${runtime.endpoint}/prod/square/4`);
      expect(await response.json()).toEqual({ square: 16 });
      return {
        title: 'GET /prod/square/4',
        endsAt: fn(/^Square/),
        steps: ['API call GET /prod/square/4', 'invoke arn:aws:lambda:', 'square run succeeded', 'API answered 200'],
        entered: { node: { type: 'AWS::ApiGateway::RestApi', id: /^Api/ }, counts: '1 request · 0 errors' },
      };
    },
  },
  {
    name: 'function-destination',
    edges: [
      { from: fn(/^First(?!ResponseOnly)/), kind: 'on-success', to: fn(/^Second/) },
      { from: fn(/^FirstResponseOnly/), kind: 'on-success', to: { type: 'AWS::Events::EventBus', id: /^default$/ } },
      { from: { type: 'AWS::Events::EventBus', id: /^default$/ }, kind: 'rule', to: { type: 'AWS::Events::Rule', id: /./ } },
      { from: { type: 'AWS::Events::Rule', id: /./ }, kind: 'target', to: fn(/^Second/) },
    ],
    act: async (runtime, outputs) => {
      const first = outputs.FirstFunctionName!;
      const { StatusCode } = await new LambdaClient(clientConfig(runtime)).send(
        new InvokeCommand({ FunctionName: first, InvocationType: 'Event', Payload: new TextEncoder().encode('{"name":"browser"}') }),
      );
      expect(StatusCode).toBe(202);
      const second = outputs.SecondLogGroupName!.replace('/aws/lambda/', '');
      return {
        title: first,
        endsAt: fn(/^Second/),
        steps: [`${first} accepted the event`, `${first} attempt 1 succeeded`, `destination record Success from ${first}`, `${second} accepted the event`, `${second} attempt 1 succeeded`],
      };
    },
  },
  {
    name: 'function-url',
    edges: [{ from: { type: 'AWS::Lambda::Url', id: /^PublicFunction/ }, kind: 'function-url', to: fn(/^PublicFunction/) }],
    act: async (_runtime, outputs) => {
      const response = await fetch(`${outputs.PublicUrl!}echo?from=dashboard`);
      expect(response.status).toBe(200);
      return {
        title: 'GET /echo',
        endsAt: fn(/^PublicFunction/),
        steps: ['run succeeded', 'GET /echo on function URL PublicFunctionFunctionUrl'],
        entered: { node: { type: 'AWS::Lambda::Url', id: /^PublicFunction/ }, counts: '1 request · 0 errors' },
      };
    },
  },
  {
    name: 'queue-event-source',
    edges: [
      { from: queue(/^WorkQueue/), kind: 'event-source', to: fn(/^Processor/) },
      { from: queue(/^WorkQueue/), kind: 'dead-letter', to: queue(/^DeadLetter/) },
    ],
    act: async (runtime, outputs) => {
      const { MessageId } = await new SQSClient(clientConfig(runtime)).send(new SendMessageCommand({ QueueUrl: outputs.QueueUrl!, MessageBody: '{"from":"browser"}' }));
      expect(MessageId).toBeTruthy();
      return { title: 'sqs deliver', endsAt: fn(/^Processor/), steps: [`message ${MessageId!}`, 'invoking with a batch of 1', 'run succeeded', 'batch of 1 succeeded: deleted from the queue'] };
    },
  },
];

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const matches = (node: ArchitectureNode, match: NodeMatch) => node.type === match.type && match.id.test(node.id);

describe.each(CASES)('the dashboard of examples/$name', (example) => {
  let runtime: LocalRuntime;
  let page: Page;
  let architecture: Architecture;
  let outputs: Record<string, string>;

  beforeAll(async () => {
    runtime = await startExampleForTests(example.name);
    architecture = (await (await fetch(`${runtime.endpoint}/_local/architecture`)).json()) as Architecture;
    const state = (await (await fetch(`${runtime.endpoint}/_local/state`)).json()) as { outputs: { OutputKey: string; OutputValue: string }[] };
    outputs = Object.fromEntries(state.outputs.map((o) => [o.OutputKey, o.OutputValue]));
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${runtime.endpoint}/`);
    await page.locator('#live.on').waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await page?.close();
    await runtime?.stop();
  });

  /** The one node of the model that `match` names. */
  const nodeOf = (match: NodeMatch): ArchitectureNode => {
    const found = architecture.nodes.filter((n) => matches(n, match));
    expect(found.map((n) => n.id), `one ${match.type} node ${match.id}`).toHaveLength(1);
    return found[0]!;
  };

  it('lists every resource of the template and draws each node of the model', async () => {
    await page.locator('#architecture svg').waitFor({ timeout: 20_000 });
    const listed = (await page.locator('#resources').textContent()) ?? '';
    for (const [logicalId, resource] of runtime.stack.resources) {
      expect(listed, `${logicalId} (${resource.type}) is not listed`).toContain(logicalId);
    }
    const drawn = await page.locator('#architecture .node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node')));
    expect(drawn.sort()).toEqual(architecture.nodes.map((n) => n.id).sort());
    // A small graph is not stretched past its drawn size.
    const svg = await page.locator('#architecture svg').evaluate((el) => ({ shown: el.getBoundingClientRect().width, drawn: Number(el.getAttribute('viewBox')!.split(' ')[2]) }));
    expect(svg.shown).toBeLessThanOrEqual(Math.ceil(svg.drawn) + 1);
    // The send buttons call the Destined Lambda's SendEvent API, which an example does not have.
    expect(await page.locator('#send').isVisible()).toBe(false);
    expect(await page.locator('#send-form').isVisible()).toBe(false);
  });

  it("draws each edge of the model between its nodes, the example's edges among them", async () => {
    for (const edge of example.edges) {
      const from = nodeOf(edge.from).id;
      const to = nodeOf(edge.to).id;
      expect(architecture.edges, `the model has no ${edge.kind} edge ${from} -> ${to}`).toContainEqual({ from, to, kind: edge.kind });
    }
    const drawn = await page
      .locator('#architecture path.edge')
      .evaluateAll((paths) => paths.map((p) => ({ from: p.getAttribute('data-from'), to: p.getAttribute('data-to'), kind: p.getAttribute('data-kind'), d: p.getAttribute('d') ?? '' })));
    expect(drawn.map(({ from, to, kind }) => ({ from, to, kind })).sort(byEdge)).toEqual([...architecture.edges].sort(byEdge));
    for (const path of drawn) expect(path.d, `edge ${path.from} -> ${path.to} has no line`).toMatch(/^M[\d.-]+,[\d.-]+ L/);
    // Each arrow starts at its source node's box and ends at its target's.
    const boxes = await page.locator('#architecture .node').evaluateAll((nodes) =>
      Object.fromEntries(nodes.map((n) => {
        const r = n.querySelector('rect')!;
        return [n.getAttribute('data-node'), { x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) }];
      })),
    );
    const near = (p: { x: number; y: number }, b: { x: number; y: number; w: number; h: number }) => p.x >= b.x - 2 && p.x <= b.x + b.w + 2 && p.y >= b.y - 2 && p.y <= b.y + b.h + 2;
    for (const path of drawn) {
      const points = [...path.d.matchAll(/([\d.-]+),([\d.-]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
      expect(near(points[0]!, boxes[path.from!]!), `edge ${path.from} -> ${path.to} does not start at ${path.from}`).toBe(true);
      expect(near(points.at(-1)!, boxes[path.to!]!), `edge ${path.from} -> ${path.to} does not end at ${path.to}`).toBe(true);
    }
  });

  it('follows one request on the dashboard to the function that ends it', async () => {
    const sent = await example.act(runtime, outputs);
    const end = nodeOf(sent.endsAt).name;
    const row = page.locator('#journeys > li.journey', { hasText: sent.title }).first();
    await row.waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`No request row mentioning "${sent.title}" appeared within 20 s`);
    });
    await row.locator('.journey-toggle').click();
    const timeline = row.locator('.timeline');
    await expect
      .poll(async () => (await timeline.locator('.step-lambda[data-kind="invoke"]').allInnerTexts()).at(-1) ?? '', { timeout: 20_000, message: `the timeline never reached ${end}` })
      .toMatch(new RegExp(`${end} (attempt 1|run) succeeded`));
    await expect.poll(() => row.getAttribute('data-status'), { message: 'the request never arrived' }).toBe('ok');
    expect(await row.locator('.meta').innerText()).toContain(end);
    const titles = await timeline.locator('.step-title').allInnerTexts();
    let at = -1;
    for (const step of sent.steps) {
      const next = titles.findIndex((t, i) => i > at && t.includes(step));
      expect(next, `no step "${step}" after step ${at} in:\n${titles.join('\n')}`).toBeGreaterThan(at);
      at = next;
    }
    if (sent.entered) {
      const entered = page.locator(`#architecture .node[data-node="${nodeOf(sent.entered.node).id}"] .node-counts`);
      await expect.poll(() => entered.textContent(), { message: `${sent.entered.node.type} never counted the request` }).toBe(sent.entered.counts);
    }
    // The function's run shows its log lines.
    expect(await timeline.locator('.step', { hasText: new RegExp(`${end} (attempt 1|run) succeeded`) }).last().locator('pre.log').innerText()).toContain('START RequestId');
    // The node of that function counts its run (counts refresh once a second after hops arrive).
    const endNode = page.locator(`#architecture .node[data-node="${nodeOf(sent.endsAt).id}"] .node-counts`);
    await expect.poll(() => endNode.textContent(), { message: `${end}'s node never counted its invocation` }).toMatch(/^[1-9]\d* invocations? · 0 errors$/);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, `example-${example.name}.png`), fullPage: true });
  });
});

function byEdge(a: { from: string | null; to: string | null; kind: string | null }, b: { from: string | null; to: string | null; kind: string | null }): number {
  return `${a.from} ${a.kind} ${a.to}`.localeCompare(`${b.from} ${b.kind} ${b.to}`);
}
