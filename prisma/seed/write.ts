import type { TableWriter } from './insert.ts';
import { INSERT_ORDER, type RowBag, type TableName } from './types.ts';

/**
 * Writes a bag of rows table by table, parents first. Rows that point at rows of their own
 * table (an incident's problem, a merged customer's survivor) go after the rows they point at:
 * a foreign key is checked at the end of each statement, and a table may span several chunks.
 */
export async function writeRows(writer: TableWriter, rows: RowBag, skip: readonly TableName[] = []): Promise<void> {
  for (const table of INSERT_ORDER) {
    if (skip.includes(table)) continue;
    if (table === 'Ticket') {
      await writer.insert(table, rows.Ticket.filter((t) => t.problemId === null));
      await writer.insert(table, rows.Ticket.filter((t) => t.problemId !== null));
    } else if (table === 'Customer') {
      await writer.insert(table, rows.Customer.filter((c) => c.mergedIntoId === null));
      await writer.insert(table, rows.Customer.filter((c) => c.mergedIntoId !== null));
    } else {
      await writer.insert(table, rows[table] as readonly object[]);
    }
  }
}

/** Every table with the number of rows written (zero included), in insert order. */
export function countsOf(writer: TableWriter): Record<string, number> {
  return Object.fromEntries(INSERT_ORDER.map((t) => [t, writer.counts[t] ?? 0]));
}
