import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteState } from '../../../local/state/sqlite.js';
import { startLocalForTests } from '../../support/local-runtime.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('state tied to the assembly', () => {
  it('keeps state whose resource is still there and drops the rest with a line saying what and why', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tdl-tie-'));
    dirs.push(dir);
    const first = await startLocalForTests({ state: { dir } });
    const queueId = first.stack.resourcesOfType('AWS::SQS::Queue')[0]!.logicalId;
    await first.stop();

    // What an older synth left: a queue that is gone, and a queue id that is now another type.
    const store = openSqliteState({ dir, stackName: first.stack.stackName, port: 0 });
    store.collection('sqs-message', { logicalId: 'RemovedQueue', type: 'AWS::SQS::Queue' }).save('m1', {});
    store.collection('sqs-message', { logicalId: queueId, type: 'AWS::SNS::Topic' }).save('m2', {});
    store.close();

    const lines: string[] = [];
    const second = await startLocalForTests({ state: { dir }, print: (line) => lines.push(line) });
    await second.stop();
    expect(lines).toContain('dropped 1 saved SQS message(s) RemovedQueue: RemovedQueue (AWS::SQS::Queue) is no longer in the assembly');
    expect(lines).toContain(`dropped 1 saved SQS message(s) ${queueId}: ${queueId} is now AWS::SQS::Queue, was AWS::SNS::Topic`);
    expect(lines.filter((l) => l.startsWith('resumed '))).toHaveLength(1);
  });
});
