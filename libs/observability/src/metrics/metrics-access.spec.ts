import { MetricsAccess } from './metrics-access';

describe('MetricsAccess', () => {
  it('lets anyone scrape when no token is set', () => {
    expect(new MetricsAccess({ logLevel: 'info', metricsToken: undefined }).allows(undefined)).toBe(true);
  });

  it('asks for the exact token as a bearer token when one is set', () => {
    const access = new MetricsAccess({ logLevel: 'info', metricsToken: 'scrape-token-0123456789' });
    expect(access.allows('Bearer scrape-token-0123456789')).toBe(true);
    expect(access.allows('bearer scrape-token-0123456789 ')).toBe(true);
    for (const wrong of [
      undefined,
      '',
      'scrape-token-0123456789',
      'Bearer scrape-token-012345678',
      'Bearer scrape-token-0123456789x',
    ]) {
      expect(access.allows(wrong)).toBe(false);
    }
  });
});
