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

describe('connection and overload limits', () => {
  const NAMES = [
    'REQUEST_TIMEOUT_MS',
    'CLIENT_STALL_TIMEOUT_MS',
    'OVERLOAD_MAX_IN_FLIGHT',
    'OVERLOAD_MAX_LAG_MS',
    'MAX_STREAMS_PER_KEY',
  ];
  const original = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of NAMES) {
      if (original[name] === undefined) delete process.env[name];
      else process.env[name] = original[name];
    }
  });

  it('defaults to 30 s for requests and stalled clients, 4,000 in flight, 500 ms of lag, no per-key stream limit', () => {
    for (const name of NAMES) delete process.env[name];
    const settings = serverConfig();
    expect(settings.connections).toEqual({ requestTimeoutMs: 30_000, clientStallTimeoutMs: 30_000 });
    expect(settings.overload).toEqual({ maxInFlight: 4_000, maxLagMs: 500, maxStreamsPerKey: 0 });
  });

  it('refuses a request timeout too short to receive a request, naming the variable', () => {
    process.env.REQUEST_TIMEOUT_MS = '10';
    expect(() => serverConfig()).toThrow(/REQUEST_TIMEOUT_MS/);
  });

  it('refuses a negative or fractional limit, naming the variable', () => {
    process.env.OVERLOAD_MAX_IN_FLIGHT = '-1';
    expect(() => serverConfig()).toThrow(/OVERLOAD_MAX_IN_FLIGHT/);
    delete process.env.OVERLOAD_MAX_IN_FLIGHT;
    process.env.MAX_STREAMS_PER_KEY = '2.5';
    expect(() => serverConfig()).toThrow(/MAX_STREAMS_PER_KEY/);
  });
});
