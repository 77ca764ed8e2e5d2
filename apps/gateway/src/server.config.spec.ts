import { serverConfig } from './server.config';

describe('TRUST_PROXY', () => {
  const original = process.env.TRUST_PROXY;
  afterEach(() => {
    if (original === undefined) delete process.env.TRUST_PROXY;
    else process.env.TRUST_PROXY = original;
  });

  const trustProxy = (value: string) => {
    process.env.TRUST_PROXY = value;
    return serverConfig().trustProxy;
  };

  it('takes false, true, or the proxies named by address, CIDR range or proxy-addr name', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('loopback, 10.0.0.0/8,192.168.1.7')).toEqual(['loopback', '10.0.0.0/8', '192.168.1.7']);
  });

  it('refuses a hop count, which would let any direct client spoof its address, and says what to use instead', () => {
    expect(() => trustProxy('2')).toThrow(/hop count \("2"\).*name the proxies' addresses/);
  });

  it('refuses what is neither an address nor a range, naming it', () => {
    expect(() => trustProxy('loopback,not-an-ip')).toThrow(/"not-an-ip" is not true, false, an address/);
  });
});
