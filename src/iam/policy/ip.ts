/**
 * IpAddress / NotIpAddress: "The value must be in the standard CIDR format (for example, 203.0.113.0/24
 * or 2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix,
 * IAM uses the default prefix value of /32" (IAM condition operators) — for IPv6, the whole address.
 */

interface Address {
  bits: 32 | 128;
  value: bigint;
}

export interface IpRange extends Address {
  prefix: number;
}

export function parseIpRange(text: string): IpRange | undefined {
  const [host, prefixText, extra] = text.split('/');
  const address = parseIp(host!);
  if (address === undefined || extra !== undefined) return undefined;
  if (prefixText === undefined) return { ...address, prefix: address.bits };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  return prefix <= address.bits ? { ...address, prefix } : undefined;
}

/** Whether `text` is an address inside `range`; an IPv4 address is never inside an IPv6 range. */
export function inIpRange(range: IpRange, text: string): boolean {
  const address = parseIp(text);
  if (address === undefined || address.bits !== range.bits) return false;
  const hostBits = BigInt(range.bits - range.prefix);
  return address.value >> hostBits === range.value >> hostBits;
}

function parseIp(text: string): Address | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

/** Eight hex groups, `::` standing for a run of zero groups, and optionally a dotted IPv4 tail. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const tail = groups[groups.length - 1]!;
  if (tail[tail.length - 1]?.includes('.')) {
    const v4 = parseIpv4(tail[tail.length - 1]!);
    if (v4 === undefined) return undefined;
    tail.splice(-1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
  }
  const count = groups.reduce((n, g) => n + g.length, 0);
  if (groups.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = groups.length === 1 ? groups[0]! : [...groups[0]!, ...Array<string>(8 - count).fill('0'), ...groups[1]!];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
