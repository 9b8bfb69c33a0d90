import { Prisma } from '../generated/prisma/client.ts';

/**
 * Wall-clock seconds from `from` to `to`, as float8. date_part, not extract: extract returns a
 * numeric, and computing a million samples in numeric and casting them took as long again as
 * reading them (0.7 s against 0.33 s for 910,000 first responses).
 */
export function calendarSeconds(from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`date_part('epoch', ${to} - ${from})`;
}
