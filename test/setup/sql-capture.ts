import { afterAll, expect } from '@jest/globals';
import pg from 'pg';
import { unroutedStatements } from '../utils/tenant-sql.js';

// Every statement the application sends during an end-to-end file (its pool connects as
// application_name "latchkey"; the tests' own helper connections do not) is collected and, after
// the file, checked for Citus routing: a statement on a tenant table must pin tenant_id
// (test/utils/tenant-sql.ts). So new SQL is checked by the very tests that exercise it.
const seen = new Set<string>();
type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const proto = pg.Client.prototype as unknown as { query: Query; __latchkeyCapture?: Set<string> };
if (!proto.__latchkeyCapture) {
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const app = (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters?.application_name;
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (app === 'latchkey' && text) proto.__latchkeyCapture?.add(text);
    return original.apply(this, args);
  };
}
proto.__latchkeyCapture = seen;

afterAll(() => {
  expect(unroutedStatements(seen)).toEqual([]);
});
