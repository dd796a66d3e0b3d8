import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { bindsAllInterfaces, localAddress, networkWarning, reachableUrls } from '../../local/listen-addresses.js';

const info = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;

const interfaces = {
  lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
  eth0: [info('192.168.1.20', 'IPv4'), info('fe80::1', 'IPv6'), info('2001:db8::20', 'IPv6')],
};

describe('--host', () => {
  it('prints reachable URLs for 0.0.0.0 instead of http://0.0.0.0', () => {
    const urls = reachableUrls('0.0.0.0', 3000, interfaces);
    expect(urls).toEqual(['http://127.0.0.1:3000', 'http://192.168.1.20:3000']);
    expect(urls.some((u) => u.includes('0.0.0.0'))).toBe(false);
  });

  it('lists IPv6 addresses in brackets for ::, without link-local ones', () => {
    expect(reachableUrls('::', 3000, interfaces)).toEqual(['http://[::1]:3000', 'http://192.168.1.20:3000', 'http://[2001:db8::20]:3000']);
  });

  it('keeps a specific host as it is', () => {
    expect(reachableUrls('127.0.0.1', 3000, interfaces)).toEqual(['http://127.0.0.1:3000']);
    expect(localAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(localAddress('0.0.0.0')).toBe('127.0.0.1');
  });

  it('warns that a wildcard bind has no authentication and is reachable from the network', () => {
    expect(bindsAllInterfaces('0.0.0.0')).toBe(true);
    expect(networkWarning('0.0.0.0')).toMatch(/reachable from the network.*no authentication/);
    expect(networkWarning('::')).toBeDefined();
    expect(networkWarning('127.0.0.1')).toBeUndefined();
  });
});
