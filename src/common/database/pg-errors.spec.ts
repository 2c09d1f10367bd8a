import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { databaseUnavailableCode } from './pg-errors.js';

function pgError(code: string, message = 'x', extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('databaseUnavailableCode', () => {
  it.each([
    [pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'ECONNREFUSED'],
    [pgError('57P01', 'terminating connection due to administrator command'), '57P01'],
    [pgError('57P03', 'the database system is starting up'), '57P03'],
    [pgError('08006'), '08006'],
    [pgError('53300', 'sorry, too many clients already'), '53300'],
    [pgError('55000', 'database "x" is not currently accepting connections', { routine: 'CheckMyDatabase' }), '55000'],
    [new Error('Connection terminated unexpectedly'), 'connection_lost'],
    [new Error('timeout exceeded when trying to connect'), 'connection_lost'],
    [new Error('Connection terminated due to connection timeout', { cause: new Error('x') }), 'connection_lost'],
    [new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')], ''), 'ECONNREFUSED'],
    [new QueryFailedError('SELECT 1', [], pgError('57P01')), '57P01'],
    [new Error('wrapped', { cause: pgError('ECONNRESET') }), 'ECONNRESET'],
  ])('sees the database unavailable in %s', (err, code) => {
    expect(databaseUnavailableCode(err)).toBe(code);
  });

  it.each([
    [new QueryFailedError('SELECT', [], pgError('42P01', 'relation "x" does not exist'))],
    [pgError('23505', 'duplicate key')],
    [pgError('55000', 'cannot do that now', { routine: 'other' })],
    [new Error('something else')],
    [null],
    ['ECONNREFUSED'],
  ])('does not for %s', (err) => {
    expect(databaseUnavailableCode(err)).toBeNull();
  });
});
