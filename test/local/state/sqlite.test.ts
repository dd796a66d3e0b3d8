import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteState, stateFile, STATE_FORMAT_VERSION, StateError } from '../../../local/state/sqlite.js';
import { waitFor } from '../../support/wait-for.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tdl-state-'));
  dirs.push(dir);
  return dir;
}
const owner = { logicalId: 'Fn', type: 'AWS::Lambda::Function' };

describe('SQLite state store', () => {
  it('keeps records and log events across a close and reopen, in insertion order', () => {
    const dir = tempDir();
    const first = openSqliteState({ dir, stackName: 'S', port: 1 });
    const events = first.collection<{ n: number }>('lambda-async-event', owner);
    events.save('b', { n: 1 });
    events.save('a', { n: 2 });
    events.save('b', { n: 3 });
    events.save('c', { n: 4 });
    events.remove('c');
    first.logs.saveGroup('/g', 10, 7);
    first.logs.saveStream('/g', 's', 11);
    first.logs.appendEvents('/g', [{ logStreamName: 's', timestamp: 5, message: 'hi', ingestionTime: 6, eventId: '1' }]);
    first.close();

    const second = openSqliteState({ dir, stackName: 'S', port: 2 });
    expect(second.collection<{ n: number }>('lambda-async-event', owner).all()).toEqual([{ n: 3 }, { n: 2 }]);
    expect(second.count('lambda-async-event')).toBe(2);
    expect(second.logs.groups()).toEqual([{ logGroupName: '/g', creationTime: 10, retentionInDays: 7, streams: [{ logStreamName: 's', creationTime: 11 }] }]);
    expect(second.logs.events('/g')).toEqual([{ logStreamName: 's', timestamp: 5, message: 'hi', ingestionTime: 6, eventId: '1' }]);
    second.close();
  });

  describe('group commit', () => {
    /** What another connection (a restart after kill -9) would read now. */
    const committed = (dir: string): string[] => {
      const db = new Database(stateFile(dir, 'S'), { readonly: true });
      try {
        return (db.prepare(`SELECT value FROM records ORDER BY seq`).all() as { value: string }[]).map((r) => r.value);
      } finally {
        db.close();
      }
    };

    it('writes wait for commit(), then land together in call order, each as it was when saved', () => {
      const dir = tempDir();
      const store = openSqliteState({ dir, stackName: 'S', port: 1 });
      const events = store.collection<{ phase: string }>('lambda-async-event', owner);
      const event = { phase: 'queued' };
      events.save('1', event);
      event.phase = 'delivering';
      events.save('2', { phase: 'queued' });
      events.remove('2');
      expect(committed(dir)).toEqual([]);
      store.commit();
      expect(committed(dir)).toEqual(['{"phase":"queued"}']);
      store.close();
    });

    it('keeps a batch that failed to commit queued, so every commit fails until it lands', () => {
      const dir = tempDir();
      const store = openSqliteState({ dir, stackName: 'S', port: 1 });
      // Another connection makes the store's inserts fail, as a full disk would.
      const other = new Database(stateFile(dir, 'S'));
      other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      const events = store.collection<{ n: number }>('lambda-async-event', owner);
      events.save('1', { n: 1 });
      expect(() => store.commit()).toThrow(StateError);
      events.save('2', { n: 2 });
      // A second caller is not answered as if the first one's write were durable.
      expect(() => store.commit()).toThrow(/refused/);
      other.exec(`DROP TRIGGER refuse`);
      other.close();
      store.commit();
      expect(committed(dir)).toEqual(['{"n":1}', '{"n":2}']);
      store.close();
    });

    it('commits on its own within milliseconds when nobody asks', async () => {
      const dir = tempDir();
      const store = openSqliteState({ dir, stackName: 'S', port: 1 });
      store.collection('sqs-message', { logicalId: 'Q', type: 'AWS::SQS::Queue' }).save('m', { body: 'x' });
      await waitFor(() => committed(dir).length === 1, 'the queued write to be committed by the timer', 2_000);
      store.close();
    });
  });

  it('drops records whose owner left the assembly or changed type, saying why', () => {
    const dir = tempDir();
    const store = openSqliteState({ dir, stackName: 'S', port: 1 });
    store.collection('lambda-async-event', owner).save('1', {});
    store.collection('sqs-message', { logicalId: 'Q', type: 'AWS::SQS::Queue' }).save('1', {});
    store.collection('sqs-message', { logicalId: 'Gone', type: 'AWS::SQS::Queue' }).save('1', {});
    store.logs.saveGroup('/old', 1, undefined);
    const dropped = store.retainOwners([owner, { logicalId: 'Q', type: 'AWS::SNS::Topic' }], new Set(['/kept']));
    expect(dropped.map((d) => [d.kind, d.owner.logicalId, d.reason])).toEqual(
      expect.arrayContaining([
        ['sqs-message', 'Q', 'Q is now AWS::SNS::Topic, was AWS::SQS::Queue'],
        ['sqs-message', 'Gone', 'Gone (AWS::SQS::Queue) is no longer in the assembly'],
        ['log-events', '/old', expect.stringContaining('no function or log group')],
      ]),
    );
    expect(store.count('lambda-async-event')).toBe(1);
    expect(store.count('sqs-message')).toBe(0);
    store.close();
  });

  it('keeps a log group CreateLogGroup made through any assembly change, and its flag through later saves', () => {
    const dir = tempDir();
    const first = openSqliteState({ dir, stackName: 'S', port: 1 });
    first.logs.saveGroup('/mine', 5, undefined, true);
    // A PutRetentionPolicy later saves the group without the flag: it must stick.
    first.logs.saveGroup('/mine', 5, 3);
    first.logs.saveGroup('/template', 6, undefined);
    first.close();

    const second = openSqliteState({ dir, stackName: 'S', port: 2 });
    const dropped = second.retainOwners([owner], new Set());
    expect(dropped.map((d) => d.owner.logicalId)).toEqual(['/template']);
    expect(second.logs.groups()).toEqual([{ logGroupName: '/mine', creationTime: 5, retentionInDays: 3, createdByApi: true, streams: [] }]);
    second.close();
  });

  it('takes up a format-1 file: its log groups count as the template\'s', () => {
    const dir = tempDir();
    const file = stateFile(dir, 'S');
    const old = new Database(file);
    old.exec(`CREATE TABLE log_groups (name TEXT PRIMARY KEY, creation_time INTEGER NOT NULL, retention_days INTEGER)`);
    old.prepare(`INSERT INTO log_groups VALUES ('/g', 1, NULL)`).run();
    old.pragma('user_version = 1');
    old.close();

    const store = openSqliteState({ dir, stackName: 'S', port: 1 });
    expect(store.logs.groups()).toEqual([{ logGroupName: '/g', creationTime: 1, streams: [] }]);
    store.logs.saveGroup('/api', 2, undefined, true);
    expect(store.logs.groups().map((g) => [g.logGroupName, g.createdByApi ?? false])).toEqual([
      ['/api', true],
      ['/g', false],
    ]);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(STATE_FORMAT_VERSION);
    db.close();
  });

  it('refuses a second runtime on the same state, naming the first one by pid and port', async () => {
    const dir = tempDir();
    // The first runtime is another live process: its lock is real.
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      const first = openSqliteState({ dir, stackName: 'S', port: 4100 });
      first.close();
      const db = new Database(stateFile(dir, 'S'));
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('lock', ?)`).run(JSON.stringify({ pid: holder.pid, port: 4100, startedAt: 0 }));
      db.close();
      expect(() => openSqliteState({ dir, stackName: 'S', port: 4200 })).toThrow(new RegExp(`pid ${holder.pid}, port 4100`));
      expect(() => openSqliteState({ dir, stackName: 'S', port: 4200, fresh: true })).toThrow(StateError);
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => holder.once('exit', r));
    // Once that process is gone (killed, say), its state is taken over.
    openSqliteState({ dir, stackName: 'S', port: 4200 }).close();
  });

  it('refuses a corrupt file with the --fresh hint, and --fresh starts over', () => {
    const dir = tempDir();
    writeFileSync(stateFile(dir, 'S'), 'this is not a database, just text that is long enough to have a header '.repeat(20));
    expect(() => openSqliteState({ dir, stackName: 'S', port: 1 })).toThrow(/corrupt.*--fresh/);
    const fresh = openSqliteState({ dir, stackName: 'S', port: 1, fresh: true });
    expect(fresh.count('sqs-message')).toBe(0);
    fresh.close();
  });

  it('refuses a file of a newer format with the --fresh hint', () => {
    const dir = tempDir();
    const db = new Database(stateFile(dir, 'S'));
    db.pragma(`user_version = ${STATE_FORMAT_VERSION + 1}`);
    db.close();
    expect(() => openSqliteState({ dir, stackName: 'S', port: 1 })).toThrow(/newer than this runtime's.*--fresh/);
  });

  it('names a state directory it cannot create or write', () => {
    const dir = tempDir();
    // A file where the directory should be: refused for root too, unlike a chmod.
    writeFileSync(path.join(dir, 'blocked'), '');
    expect(() => openSqliteState({ dir: path.join(dir, 'blocked', 'state'), stackName: 'S', port: 1 })).toThrow(
      new RegExp(`cannot write the state directory ${path.join(dir, 'blocked', 'state')}.*--state DIR`),
    );
  });
});
