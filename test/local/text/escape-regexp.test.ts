import { describe, expect, it } from 'vitest';
import { escapeRegExp } from '../../../local/text/escape-regexp.js';

describe('escapeRegExp', () => {
  const syntax = '^$\\.*+?()[]{}|/';

  it.each(['', 'plain', syntax, 'a.b*c', 'x-y', 'ünï😀', '(?<n>a)\\1'])('matches %j and only it, with or without the u flag', (text) => {
    for (const flags of ['', 'u']) {
      const re = new RegExp(`^${escapeRegExp(text)}$`, flags);
      expect(re.test(text)).toBe(true);
      expect(re.test(`${text}x`)).toBe(false);
    }
  });

  it('escapes every syntax character and nothing else', () => {
    expect(escapeRegExp(syntax)).toBe('\\^\\$\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/');
    expect(escapeRegExp('a-b c,d')).toBe('a-b c,d');
  });

  it('a dot matches only a dot', () => {
    expect(new RegExp(escapeRegExp('a.c')).test('abc')).toBe(false);
  });
});
