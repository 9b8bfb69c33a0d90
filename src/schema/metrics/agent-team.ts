import DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { computeGroups } from '../../metrics/compute.ts';
import { metricByKey, type Dimension, type Statistic } from '../../metrics/definitions.ts';
import { workspaceIdOf } from '../tenancy.ts';
import { cost } from '../../guards/cost-spec.ts';

/**
 * Agent.metrics and Team.metrics: a fixed set of metrics for drill-down, computed by the same
 * definitions as `metric`, grouped by the ticket's (or conversation's) current assignee or team.
 * Batched: each selected field is ONE statement for every agent (or team) of the page, whatever
 * its size — a DataLoader per field and range collects the ids and groups by them (`= ANY(ids)`).
 */

const FIELDS = {
  ticketsSolved: { key: 'tickets_solved', statistic: 'COUNT', description: 'Tickets first solved in the range (tickets_solved).' },
  firstResponseTime: {
    key: 'ticket_first_response_time',
    statistic: 'MEDIAN',
    description: 'Median seconds to the first public human reply, of tickets created in the range (ticket_first_response_time); null without samples.',
  },
  fullResolutionTime: {
    key: 'ticket_full_resolution_time',
    statistic: 'MEDIAN',
    description: 'Median seconds from creation to the latest solve, of tickets created in the range and solved now (ticket_full_resolution_time); null without samples.',
  },
  csat: { key: 'csat', statistic: 'RATE', description: 'CSAT in percent, of survey answers in the range (csat); null without answers.' },
  averageHandleTime: {
    key: 'average_handle_time',
    statistic: 'MEAN',
    description: 'Mean logged work seconds per ticket first solved in the range (average_handle_time); null when none has work logged.',
  },
  backlog: {
    key: 'ticket_backlog',
    statistic: 'COUNT',
    description: 'Open tickets (NEW, OPEN, PENDING, ON_HOLD) at the end of the range, or now if it ends later (ticket_backlog); 0 when none.',
  },
} as const satisfies Record<string, { key: string; statistic: Statistic; description: string }>;
type Field = keyof typeof FIELDS;

interface Subject {
  dimension: Extract<Dimension, 'AGENT' | 'TEAM'>;
  id: string;
  from: Date;
  to: Date;
}

const loaders = new WeakMap<Context, Map<string, DataLoader<string, number | null>>>();

function metricLoader(ctx: Context, subject: Subject, field: Field): DataLoader<string, number | null> {
  let byKey = loaders.get(ctx);
  if (!byKey) loaders.set(ctx, (byKey = new Map()));
  const cacheKey = `${subject.dimension}|${field}|${subject.from.toISOString()}|${subject.to.toISOString()}`;
  let loader = byKey.get(cacheKey);
  if (!loader) {
    const { key, statistic } = FIELDS[field];
    const metric = metricByKey(key);
    if (!metric) throw new Error(`metric ${key} is not defined`);
    loader = new DataLoader(async (ids) => {
      const workspaceId = workspaceIdOf(ctx);
      const groups = await ctx.expensive.run(workspaceId, () => computeGroups(ctx.prisma, {
        workspaceId,
        metric,
        statistic,
        from: subject.from,
        to: subject.to,
        // Only buckets use the time zone; none are asked for.
        timeZone: 'UTC',
        filter: subject.dimension === 'AGENT' ? { agentIds: ids } : { teamIds: ids },
        groupBy: subject.dimension,
      }));
      const values = new Map(groups.map((g) => [g.key, g.value]));
      // An entity without samples: a count is 0, anything else is unknown (null).
      return ids.map((id) => values.get(id) ?? (statistic === 'COUNT' ? 0 : null));
    });
    byKey.set(cacheKey, loader);
  }
  return loader;
}

const PerformanceMetricsRef = builder.objectRef<Subject>('PerformanceMetrics').implement({
  description:
    'An agent\'s or a team\'s metrics over a range, with the definitions of `metricDefinitions`; work counts for the agent it is assigned to ' +
    '(the team it is routed to) now. Calendar time.',
  fields: (t) => {
    const field = (name: Field, type: 'Int' | 'Float') =>
      t.field({
        type,
        nullable: type === 'Float',
        description: FIELDS[name].description,
        // An aggregate statement, batched over every agent (team) of the request: 2 per subject.
        extensions: cost({ complexity: 2 }),
        resolve: (subject, _args, ctx) => metricLoader(ctx, subject, name).load(subject.id) as Promise<number>,
      });
    return {
      ticketsSolved: field('ticketsSolved', 'Int'),
      firstResponseTime: field('firstResponseTime', 'Float'),
      fullResolutionTime: field('fullResolutionTime', 'Float'),
      csat: field('csat', 'Float'),
      averageHandleTime: field('averageHandleTime', 'Float'),
      backlog: field('backlog', 'Int'),
    };
  },
});

const MAX_RANGE_MS = 400 * 86_400_000;

const rangeArgs = (t: any) => ({
  from: t.arg({ type: 'DateTime', required: true, description: 'Range start (inclusive).' }),
  to: t.arg({ type: 'DateTime', required: true, description: 'Range end (exclusive); after `from`, at most 400 days later.' }),
});

function subjectOf(dimension: Subject['dimension'], id: string, args: { from: Date; to: Date }): Subject {
  if (args.from >= args.to) throw requestError(ErrorCode.BAD_USER_INPUT, '`to` must be after `from`', { argument: 'to' });
  if (args.to.getTime() - args.from.getTime() > MAX_RANGE_MS) throw requestError(ErrorCode.BAD_USER_INPUT, 'the range is at most 400 days', { argument: 'to' });
  return { dimension, id, from: args.from, to: args.to };
}

builder.prismaObjectFields('Agent', (t) => ({
  metrics: t.field({
    type: PerformanceMetricsRef,
    description: 'This agent\'s metrics over a range, for the work assigned to them. Needs the metrics:read scope.',
    authScopes: { scope: 'metrics:read' },
    args: rangeArgs(t),
    select: { id: true },
    resolve: (agent, args) => subjectOf('AGENT', agent.id, args as { from: Date; to: Date }),
  }),
}));

builder.prismaObjectFields('Team', (t) => ({
  metrics: t.field({
    type: PerformanceMetricsRef,
    description: 'This team\'s metrics over a range, for the work routed to it. Needs the metrics:read scope.',
    authScopes: { scope: 'metrics:read' },
    args: rangeArgs(t),
    select: { id: true },
    resolve: (team, args) => subjectOf('TEAM', team.id, args as { from: Date; to: Date }),
  }),
}));
