import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** Whether `host` binds every interface (`0.0.0.0`, `::`), so the runtime is reachable from the network. */
export function bindsAllInterfaces(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '::0';
}

/** A URL for an address: IPv6 addresses in brackets. */
export function urlFor(address: string, port: number): string {
  return address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}

/**
 * The address a client on this machine uses to reach a runtime bound to
 * `host`: a wildcard address is not one to connect to, so it becomes loopback.
 */
export function localAddress(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (bindsAllInterfaces(host)) return '::1';
  return host;
}

/**
 * The URLs that reach a runtime bound to `host`: loopback first, then each
 * interface address when the host is a wildcard (IPv4 only for `0.0.0.0`).
 */
export function reachableUrls(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (!bindsAllInterfaces(host)) return [urlFor(host, port)];
  const ipv4Only = host === '0.0.0.0';
  const urls = [urlFor(localAddress(host), port)];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || (ipv4Only && info.family !== 'IPv4')) continue;
      // Link-local IPv6 addresses need a zone id to be usable in a URL.
      if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:')) continue;
      const url = urlFor(info.address, port);
      if (!urls.includes(url)) urls.push(url);
    }
  }
  return urls;
}

/** The warning printed when the runtime listens on every interface. */
export function networkWarning(host: string): string | undefined {
  if (!bindsAllInterfaces(host)) return undefined;
  return `warning: --host ${host} makes the runtime reachable from the network. It has no authentication: anyone who can reach this port can invoke your functions and read their logs.`;
}
