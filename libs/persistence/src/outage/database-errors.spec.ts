import { QueryFailedError } from 'typeorm';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableError, isDatabaseUnreachable } from './database-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a connection lost mid-query (pg sets no code)', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['a server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['a server still starting', withCode('the database system is starting up', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['no answer in time', withCode('no answer from the database within 2000 ms', 'ETIMEDOUT')],
    [
      "TypeORM's wrapper around a lost connection",
      new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
    ],
    [
      'every address refused (Node 20 tries each)',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed'),
    ],
    ['an error naming one as its cause', new Error('lookup failed', { cause: withCode('reset', 'ECONNRESET') })],
    ['the 503 itself', new DatabaseUnavailableError('This key cannot be verified')],
  ])('is true for %s', (_case, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a statement the database refused', new QueryFailedError('INSERT', [], withCode('invalid input syntax', '22P02'))],
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'Connection terminated'],
  ])('is false for %s', (_case, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});

describe('DatabaseUnavailableError', () => {
  it('is a 503 service_unavailable with retry-after, saying what could not be done', () => {
    const error = new DatabaseUnavailableError('This key cannot be verified');
    expect(error.status).toBe(503);
    expect(error.toBody().error).toMatchObject({ code: 'service_unavailable', type: 'server_error' });
    expect(error.options.retryAfterSeconds).toBe(DATABASE_RETRY_AFTER_SECONDS);
    expect(error.message).toMatch(/^This key cannot be verified while the gateway's database is unreachable/);
  });
});
