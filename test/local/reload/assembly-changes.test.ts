import { describe, expect, it } from 'vitest';
import { assemblyChanges, describeReload } from '../../../local/reload/assembly-changes.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';

const fn = (id: string, key: string, memory = 128) => fakeResource(id, 'AWS::Lambda::Function', { Code: { S3Key: `${key}.zip` }, MemorySize: memory });

describe('what a reload changed', () => {
  const before = fakeStack([fn('Destined', 'aaa'), fn('Logger', 'bbb'), fakeResource('Topic', 'AWS::SNS::Topic'), fakeResource('Gone', 'AWS::SQS::Queue'), fakeResource('Shifted', 'AWS::SQS::Queue')]);

  it('groups resources added, removed, replaced (type changed) and modified, and names the functions rebuilt', () => {
    const after = fakeStack([
      fn('Destined', 'ccc'),
      fn('Logger', 'bbb'),
      fakeResource('Topic', 'AWS::SNS::Topic'),
      fakeResource('Shifted', 'AWS::SNS::Topic'),
      fn('NewFn', 'ddd'),
    ]);
    expect(assemblyChanges(before, after)).toEqual({
      added: ['NewFn'],
      removed: ['Gone'],
      replaced: ['Shifted'],
      modified: ['Destined'],
      functionsChanged: ['Destined', 'NewFn'],
    });
  });

  it('counts a changed configuration as a rebuilt function, and a code asset moved elsewhere too', () => {
    const after = fakeStack([
      fn('Destined', 'aaa', 256),
      fakeResource('Logger', 'AWS::Lambda::Function', { Code: { S3Key: 'bbb.zip' }, MemorySize: 128 }, { metadata: { 'aws:asset:path': 'asset.bbb2' } }),
      fakeResource('Topic', 'AWS::SNS::Topic'),
      fakeResource('Gone', 'AWS::SQS::Queue'),
      fakeResource('Shifted', 'AWS::SQS::Queue'),
    ]);
    expect(assemblyChanges(before, after).functionsChanged).toEqual(['Destined', 'Logger']);
  });

  it('prints one line with the groups and the time', () => {
    const line = describeReload({ added: ['A'], removed: [], replaced: [], modified: ['F', 'G'], functionsChanged: ['F'] }, 4_210);
    expect(line).toBe('reloaded in 4.21s: 1 added (A), 2 modified (F, G); functions rebuilt: F');
    expect(describeReload({ added: [], removed: [], replaced: [], modified: [], functionsChanged: [] }, 500)).toBe('reloaded in 0.50s: no resource changed');
  });
});
