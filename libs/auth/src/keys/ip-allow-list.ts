import { BlockList, isIP } from 'node:net';

/**
 * A key's IP allow-list: addresses and CIDR ranges, IPv4 or IPv6. A bare address is a single-host range.
 * IPv4 clients seen as IPv4-mapped IPv6 (`::ffff:10.0.0.1`, dual-stack sockets) match IPv4 ranges.
 */
export class IpAllowList {
  private readonly ranges = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const range = parseRange(entry);
      if (!range) throw new RangeError(`"${entry}" is not an IP address or CIDR range`);
      this.ranges.addSubnet(range.network, range.prefix, range.family);
    }
  }

  allows(ip: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1] : ip;
    const family = isIP(address);
    return family !== 0 && this.ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The first entry that is not an address or CIDR range, for validation messages. */
export function invalidIpRange(entries: readonly string[]): string | undefined {
  return entries.find((entry) => !parseRange(entry));
}

function parseRange(entry: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [network, prefixText, extra] = entry.trim().split('/');
  const family = isIP(network);
  if (family === 0 || extra !== undefined) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { network, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}
