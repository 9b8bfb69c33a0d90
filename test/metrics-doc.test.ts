import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { definitionDocs, metricsTable, readmeFile, TABLE_END, TABLE_START, tableBlock, withMetricsTable, type MetricDefinitionDoc } from '../src/cli/metrics-doc.ts';
import { createTestWorkspace } from './helpers/factories.ts';

const DEFINITIONS = /* GraphQL */ `
  { metricDefinitions { key name unit statistics defaultStatistic clocks dimensions formula startEvent stopEvent attributedTo version } }`;

describe('README.md metrics table', () => {
  it('is current (run `npm run docs:metrics` after changing a metric definition)', async () => {
    const readme = await readFile(readmeFile, 'utf8');
    expect(readme).toBe(withMetricsTable(readme, definitionDocs()));
  });

  it('is what metricDefinitions returns over GraphQL, one row per metric', async () => {
    const ws = await createTestWorkspace({ scopes: ['metrics:read'] });
    const res = await ws.gql<{ metricDefinitions: MetricDefinitionDoc[] }>(DEFINITIONS);
    expect(res.errors).toBeUndefined();
    const served = res.data!.metricDefinitions;
    const { table } = tableBlock(await readFile(readmeFile, 'utf8'));
    expect(table).toBe(metricsTable(served));
    // Header, separator, then every key in the order metricDefinitions lists them.
    const keys = table.split('\n').slice(2).map((row) => /^\| `([a-z0-9_]+)` \|/.exec(row)?.[1]);
    expect(keys).toEqual(served.map((d) => d.key));
  });

  it('renders one row per definition: default statistic first, start → stop, pipes escaped', () => {
    const doc: MetricDefinitionDoc = {
      key: 'x_rate', name: 'X', unit: 'PERCENT', statistics: ['COUNT', 'RATE'], defaultStatistic: 'RATE', clocks: ['CALENDAR'],
      dimensions: ['TEAM', 'AGENT'], formula: 'a | b\nc', startEvent: 'opened', stopEvent: 'closed', attributedTo: 'opening', version: 3,
    };
    const same = { ...doc, key: 'y', stopEvent: 'opened' };
    expect(metricsTable([doc, same]).split('\n').slice(2)).toEqual([
      '| `x_rate` | X | PERCENT | **RATE**, COUNT | CALENDAR | TEAM, AGENT | a \\| b c | opened → closed | opening | 3 |',
      '| `y` | X | PERCENT | **RATE**, COUNT | CALENDAR | TEAM, AGENT | a \\| b c | opened | opening | 3 |',
    ]);
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `# T\n\nintro\n\n${TABLE_START}\nold table\n${TABLE_END}\n\nafter\n`;
    expect(withMetricsTable(readme, [])).toBe(`# T\n\nintro\n\n${TABLE_START}\n${metricsTable([])}\n${TABLE_END}\n\nafter\n`);
    expect(() => withMetricsTable('# no markers\n', [])).toThrow(/no metrics table markers/);
  });
});
