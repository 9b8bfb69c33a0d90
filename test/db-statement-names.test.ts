import { describe, expect, it } from 'vitest';
import type { SqlQuery } from '@prisma/driver-adapter-utils';
import { statementNames } from '../src/db/adapters.ts';

const query = (sql: string, args = 1): SqlQuery => ({ sql, args: Array(args).fill(1), argTypes: [] as never });

describe('named statements on PostgreSQL', () => {
  it('gives one text one stable name, other texts other names', () => {
    const name = statementNames();
    const a = name(query('SELECT "id" FROM "public"."Ticket" WHERE "id" = $1'));
    expect(a).toMatch(/^cx_[\w-]{27}$/);
    expect(name(query('SELECT "id" FROM "public"."Ticket" WHERE "id" = $1'))).toBe(a);
    expect(statementNames()(query('SELECT "id" FROM "public"."Ticket" WHERE "id" = $1'))).toBe(a);
    expect(name(query('SELECT "id" FROM "public"."Customer" WHERE "id" = $1'))).not.toBe(a);
  });

  it('leaves long parameter lists and texts past the bound unnamed, so prepared statements stay bounded', () => {
    const name = statementNames();
    expect(name(query('SELECT 1 WHERE "id" IN (…)', 65))).toBeUndefined();
    for (let i = 0; i < 2_000; i++) expect(name(query(`SELECT ${i}`))).toBeDefined();
    expect(name(query('SELECT 2000'))).toBeUndefined();
    expect(name(query('SELECT 7'))).toBeDefined();
  });
});
