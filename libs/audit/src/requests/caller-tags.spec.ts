import { GatewayError } from '@app/common';
import { parseCallerTags } from './caller-tags';

describe('parseCallerTags', () => {
  it('reads key=value pairs, trimming spaces; no header means no tags', () => {
    expect(parseCallerTags('feature=checkout, job = nightly-42,path=/v1/x:y@z')).toEqual({
      feature: 'checkout',
      job: 'nightly-42',
      path: '/v1/x:y@z',
    });
    expect(parseCallerTags(['a=1', 'b=2'])).toEqual({ a: '1', b: '2' });
    expect(parseCallerTags(undefined)).toBeUndefined();
    expect(parseCallerTags('  ')).toBeUndefined();
  });

  it('keeps keys like __proto__ as plain data', () => {
    const tags = parseCallerTags('__proto__=x,constructor=y')!;
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(JSON.stringify(tags)).toBe('{"__proto__":"x","constructor":"y"}');
  });

  it.each([
    ['no-equals', /not key=value/],
    ['=value', /not key=value/],
    ['bad key!=1', /not key=value/],
    [`${'k'.repeat(65)}=1`, /not key=value/],
    ['empty=', /value of "empty"/],
    [`long=${'v'.repeat(129)}`, /value of "long"/],
    ['accent=café', /value of "accent"/],
    ['a=1,a=2', /"a" appears twice/],
    [Array.from({ length: 11 }, (_, i) => `k${i}=v`).join(','), /at most 10 tags/],
  ])('refuses %j with a 400 naming the header', (header, problem) => {
    const error = (() => {
      try {
        parseCallerTags(header);
      } catch (caught) {
        return caught;
      }
    })() as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.options.param).toBe('x-switchyard-tags');
    expect(error.message).toMatch(problem);
  });
});
