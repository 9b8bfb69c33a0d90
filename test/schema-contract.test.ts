import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contractFile, printContract } from '../src/schema/print.ts';

describe('schema/schema.graphql', () => {
  it('is current (run `npm run schema:print` after changing the schema)', async () => {
    expect(await readFile(contractFile, 'utf8')).toBe(printContract());
  });

  it('describes every type and field', () => {
    const missing: string[] = [];
    const sdl = printContract();
    // A field line not preceded by a description line.
    const lines = sdl.split('\n');
    lines.forEach((line, i) => {
      const field = /^  ([a-zA-Z_]\w*)(\(|:)/.exec(line);
      if (!field || field[1] === 'id') return;
      const prev = lines[i - 1]?.trim() ?? '';
      if (!prev.endsWith('"""') && !prev.startsWith('"')) missing.push(`${line.trim()}`);
    });
    const enumOrType = /^(type|interface|enum|input|scalar|union) (\w+)/;
    lines.forEach((line, i) => {
      const m = enumOrType.exec(line);
      if (m && !['PageInfo'].includes(m[2]!) && !lines[i - 1]?.trim().endsWith('"""')) missing.push(`${m[1]} ${m[2]}`);
    });
    expect(missing).toEqual([]);
  });
});
