/**
 * IPv4/IPv6 address parsing and CIDR containment for the `cidr` pattern
 * operator. Addresses are compared as byte arrays so v4 and v6 share one
 * code path; a v4 address never matches a v6 block and vice versa.
 */

/** A compiled CIDR block. */
export interface CidrBlock {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** A pattern error with the wording EventBridge uses for CIDR problems. */
export class CidrError extends Error {}

/** Parse `a.b.c.d` or an IPv6 text form into bytes; `undefined` when not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let v4Tail: Uint8Array | undefined;
  // An embedded dotted quad (::ffff:1.2.3.4) fills the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4Tail = parseIpv4(text.slice(lastColon + 1));
    if (!v4Tail) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const total = left.length + right.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...left, ...Array<string>(8 - total).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (v4Tail) out.set(v4Tail, 12);
  return out;
}

/** Compile a `cidr` operand; throws {@link CidrError} with EventBridge's wording. */
export function parseCidr(text: string): CidrBlock {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) throw new CidrError("Malformed CIDR, one '/' required");
  const bitsText = text.slice(slash + 1);
  if (!/^\d+$/.test(bitsText)) throw new CidrError('Malformed CIDR, mask bits must be an integer');
  const address = text.slice(0, slash);
  const bytes = parseIp(address);
  if (!bytes) throw new CidrError(`Nonstandard IP address: ${address}`);
  const bits = Number(bitsText);
  if (bits > bytes.length * 8) {
    throw new CidrError(`Malformed CIDR, mask bits must be between 0 and ${bytes.length * 8}`);
  }
  return { bytes, bits };
}

/** Whether `ip` (already parsed) lies inside `block`. */
export function cidrContains(block: CidrBlock, ip: Uint8Array): boolean {
  if (ip.length !== block.bytes.length) return false;
  const full = block.bits >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== block.bytes[i]) return false;
  const rest = block.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[full]! & mask) === (block.bytes[full]! & mask);
}
