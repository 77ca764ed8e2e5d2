import { invalidIpRange, IpAllowList } from './ip-allow-list';

describe('IpAllowList', () => {
  const list = new IpAllowList(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);

  it('matches addresses inside its ranges, IPv4-mapped IPv6 included', () => {
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('::ffff:10.1.0.1')).toBe(true);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('2001:db8:1::5')).toBe(true);
  });

  it('refuses everything else, and anything that is not an address', () => {
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('2001:db9::1')).toBe(false);
    expect(list.allows('')).toBe(false);
    expect(new IpAllowList([]).allows('10.1.0.1')).toBe(false);
  });

  it('names the first entry that is not an address or range', () => {
    expect(invalidIpRange(['10.0.0.0/8', '::1/128'])).toBeUndefined();
    expect(invalidIpRange(['10.0.0.0/8', '10.0.0.0/33'])).toBe('10.0.0.0/33');
    expect(invalidIpRange(['example.com'])).toBe('example.com');
    expect(invalidIpRange(['10.0.0.1/8/1'])).toBe('10.0.0.1/8/1');
    expect(() => new IpAllowList(['nope'])).toThrow('"nope" is not an IP address or CIDR range');
  });
});
