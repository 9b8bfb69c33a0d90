import type { Prisma } from '../../src/generated/prisma/client.ts';

/**
 * Bulk inserts for the seed: one `INSERT ... SELECT FROM unnest($1::text[], $2::text[], ...)`
 * per chunk, every column sent as text and cast to its real type in SQL. Measured against
 * Prisma `createMany` it is about 7x faster on PGlite (20k tickets: 14 s vs 2 s) and 8x on
 * PostgreSQL (100k tickets: 53 s vs ~7 s), and it behaves the same on both backends because
 * only text crosses the driver. Column types come from the catalog, so rows are plain objects
 * typed as the Prisma models (the compiler checks that every column is present).
 */

type Sql = Pick<Prisma.TransactionClient, '$executeRawUnsafe' | '$queryRawUnsafe'>;

/** Quotes one element of a PostgreSQL array literal; NULL stays unquoted. */
function element(text: string | null): string {
  if (text === null) return 'NULL';
  return text.includes('"') || text.includes('\\') ? `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : `"${text}"`;
}

type Converter = (value: unknown) => string | null;

/** How a JS value becomes the text form of a column's type; chosen once per column. */
function converterFor(pgType: string): Converter {
  if (pgType.endsWith('[]')) {
    return (v) => (v === null || v === undefined ? null : `{${(v as unknown[]).map((e) => element(e === null ? null : String(e))).join(',')}}`);
  }
  if (pgType === 'jsonb' || pgType === 'json') return (v) => (v === null || v === undefined ? null : JSON.stringify(v));
  if (pgType === 'date') return (v) => (v === null || v === undefined ? null : (v as Date).toISOString().slice(0, 10));
  // Epoch milliseconds: far cheaper to print than ISO strings, and exact (see castFor).
  if (pgType.startsWith('timestamp')) return (v) => (v === null || v === undefined ? null : String((v as Date).getTime()));
  // Prisma.Decimal, numbers, booleans, strings and enum values all print as their SQL text.
  return (v) => (v === null || v === undefined ? null : String(v));
}

/** The SQL expression turning the text cell `cell` into the column's type. */
function castFor(cell: string, pgType: string): string {
  if (pgType.startsWith('timestamp')) return `(TIMESTAMPTZ 'epoch' + ${cell}::bigint * INTERVAL '1 millisecond')`;
  return `${cell}::${pgType}`;
}

export interface InsertOptions {
  /** Appended as `ON CONFLICT (<column>) DO NOTHING`; the result then counts inserted rows only. */
  skipConflictOn?: string;
  chunkSize?: number;
}

/** Column name → SQL type, per table; shareable between writers of one seed run. */
export type ColumnCatalog = Map<string, Map<string, string>>;

export class TableWriter {
  /** Rows written per table, for the seed's summary. */
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly sql: Sql,
    private readonly catalog: ColumnCatalog = new Map(),
  ) {}

  private async typesOf(table: string): Promise<Map<string, string>> {
    let types = this.catalog.get(table);
    if (!types) {
      const rows = await this.sql.$queryRawUnsafe<{ name: string; type: string }[]>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
           FROM pg_attribute a
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        `"${table}"`,
      );
      types = new Map(rows.map((r) => [r.name, r.type]));
      this.catalog.set(table, types);
    }
    return types;
  }

  async insert<Row extends object>(table: string, rows: readonly Row[], options: InsertOptions = {}): Promise<number> {
    if (rows.length === 0) return 0;
    const types = await this.typesOf(table);
    const columns = Object.keys(rows[0]!);
    for (const column of columns) {
      if (!types.has(column)) throw new Error(`table "${table}" has no column "${column}"`);
    }
    const converters = columns.map((c) => converterFor(types.get(c)!));
    const target = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')})`;
    const conflict = options.skipConflictOn ? ` ON CONFLICT ("${options.skipConflictOn}") DO NOTHING` : '';
    const chunkSize = options.chunkSize ?? 5_000;
    let inserted = 0;
    for (let start = 0; start < rows.length; start += chunkSize) {
      const chunk = rows.slice(start, start + chunkSize) as readonly Record<string, unknown>[];
      // Each column travels as one array literal string, parsed in C by the server, instead of
      // thousands of values for the driver to serialize. A column with a single value
      // throughout the chunk (the workspace id, all-null columns) is sent once, as a scalar;
      // the first column always stays an array so unnest() yields the chunk's row count.
      const params: (string | null)[] = [];
      const arrays: string[] = [];
      const aliases: string[] = [];
      const selects = columns.map((column, c) => {
        const convert = converters[c]!;
        const cells = new Array<string | null>(chunk.length);
        let constant = c > 0;
        for (let r = 0; r < chunk.length; r++) {
          cells[r] = convert(chunk[r]![column]);
          if (cells[r] !== cells[0]) constant = false;
        }
        if (constant) {
          params.push(cells[0]!);
          return castFor(`$${params.length}::text`, types.get(column)!);
        }
        params.push(`{${cells.map(element).join(',')}}`);
        arrays.push(`$${params.length}::text[]`);
        aliases.push(`c${c}`);
        return castFor(`u.c${c}`, types.get(column)!);
      });
      const statement = `${target} SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${aliases.join(', ')})${conflict}`;
      inserted += await this.sql.$executeRawUnsafe(statement, ...params);
    }
    this.counts[table] = (this.counts[table] ?? 0) + inserted;
    return inserted;
  }
}
