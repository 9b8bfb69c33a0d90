import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { computeMetric, type Bucket } from '../../metrics/compute.ts';
import { mainCurrencyOf } from '../../metrics/customers.ts';
import { clocksOf, METRICS, metricByKey, type Clock, type Dimension, type MetricDefinition, type Statistic } from '../../metrics/definitions.ts';
import { isTimeZone } from '../customers/service.ts';
import { ChannelEnum, CxFunctionEnum, TicketPriorityEnum } from '../enums.ts';
import { encodeGlobalId, idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { inWorkspace, workspaceIdOf } from '../tenancy.ts';
import { cost } from '../../guards/cost-spec.ts';

const StatisticEnum = builder.enumType('MetricStatistic', {
  description: 'How samples are summarized.',
  values: {
    COUNT: { description: 'Number of samples.' },
    MEAN: { description: 'Arithmetic mean.' },
    MEDIAN: { description: '50th percentile (continuous).' },
    P90: { description: '90th percentile (continuous).' },
    RATE: { description: 'Share of samples that meet the metric\'s condition, in percent.' },
  } as const,
});
const UnitEnum = builder.enumType('MetricUnit', {
  description: 'Unit of a metric\'s values.',
  values: { SECONDS: { description: 'A duration.' }, PERCENT: { description: '0–100.' }, SCORE: { description: 'A survey score or index.' }, COUNT: { description: 'A number of items.' }, MONEY: { description: 'An amount of money, in one currency (see the metric\'s formula).' } } as const,
});
const DimensionEnum = builder.enumType('MetricDimension', {
  description: 'What a metric can be grouped by.',
  values: {
    TEAM: { description: 'Team (group key: Team ID).' },
    AGENT: { description: 'Assigned agent (group key: Agent ID).' },
    CHANNEL: { description: 'Channel of the conversation (for tickets: the conversation they were escalated from).' },
    FUNCTION: { description: 'SERVICE or SUPPORT.' },
    PRIORITY: { description: 'Ticket priority.' },
    ORGANIZATION: { description: 'The customer\'s organization (group key: Organization ID).' },
    CUSTOMER: { description: 'The customer (group key: Customer ID).' },
  } as const,
});
const BucketEnum = builder.enumType('TimeBucket', {
  description: 'Time-series bucket, in the requested time zone (a DAY is a local calendar day, across DST changes too).',
  values: { HOUR: { description: 'Hours.' }, DAY: { description: 'Local days.' }, WEEK: { description: 'ISO weeks (Monday start).' }, MONTH: { description: 'Calendar months.' } } as const,
});
const ClockEnum = builder.enumType('MetricClock', {
  description: 'How durations are measured: CALENDAR (wall-clock time) or BUSINESS (only the open hours of a business calendar).',
  values: { CALENDAR: { description: 'Wall-clock time.' }, BUSINESS: { description: 'Business hours of a calendar.' } } as const,
});

const FirstResponseFromEnum = builder.enumType('FirstResponseFrom', {
  description: 'Where a conversation\'s first-response clock starts.',
  values: {
    FIRST_CUSTOMER_MESSAGE: { description: 'The customer\'s first message (what the customer experiences).' },
    BOT_HANDOFF: { description: 'The moment a bot handed the conversation to humans (what the team controls); conversations without a handoff are excluded.' },
  } as const,
});

const MetricKindEnum = builder.enumType('MetricKind', {
  description: 'What a metric\'s value is.',
  values: {
    SAMPLES: { description: 'A statistic over the samples attributed to the range (and to each bucket).' },
    SNAPSHOT: { description: 'A level at an instant (e.g. backlog): at the range end (`asOf`), and at each bucket\'s start.' },
  } as const,
});

const MetricDefinitionRef = builder.objectRef<MetricDefinition>('MetricDefinition').implement({
  description: 'How a metric is computed, as data: what starts and stops its clock, what it is attributed to, what it supports.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable identifier, e.g. "ticket_first_response_time".' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    description: t.exposeString('description', { description: 'What it tells you.' }),
    formula: t.exposeString('formula', { description: 'The computation, in words (the contract).' }),
    kind: t.field({ type: MetricKindEnum, description: 'SAMPLES or SNAPSHOT.', resolve: (m) => m.kind ?? 'SAMPLES' }),
    unit: t.field({ type: UnitEnum, description: 'Unit of values.', resolve: (m) => m.unit }),
    timeBuckets: t.boolean({ description: 'Whether `bucket` can split it into a time series (false: the whole range is one period).', resolve: (m) => !m.periodOnly }),
    statistics: t.field({ type: [StatisticEnum], description: 'Statistics it supports.', resolve: (m) => m.statistics }),
    defaultStatistic: t.field({ type: StatisticEnum, description: 'Used when none is requested.', resolve: (m) => m.defaultStatistic }),
    clocks: t.field({ type: [ClockEnum], description: 'Clocks it supports.', resolve: (m) => clocksOf(m) }),
    dimensions: t.field({ type: [DimensionEnum], description: 'What it can be filtered and grouped by.', resolve: (m) => m.dimensions }),
    startEvent: t.exposeString('startEvent', { description: 'What starts the clock (or what is counted).' }),
    stopEvent: t.exposeString('stopEvent', { description: 'What stops the clock.' }),
    attributedTo: t.exposeString('attributedTo', { description: 'Which instant a sample belongs to, for the range and the buckets.' }),
    version: t.exposeInt('version', { description: 'Changes whenever the computation changes.' }),
  }),
});

const MetricFilterInput = builder.inputType('MetricFilter', {
  description: 'Narrows the samples. All given conditions must hold.',
  fields: (t) => ({
    teamId: t.globalID({ required: false, description: 'Team.' }),
    agentId: t.globalID({ required: false, description: 'Assigned agent.' }),
    channel: t.field({ type: ChannelEnum, required: false, description: 'Channel.' }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'SERVICE or SUPPORT.' }),
    priority: t.field({ type: TicketPriorityEnum, required: false, description: 'Ticket priority.' }),
    organizationId: t.globalID({ required: false, description: 'Organization.' }),
    customerId: t.globalID({ required: false, description: 'Customer.' }),
    tag: t.string({ required: false, description: 'Tag: a ticket tag for ticket metrics, a customer tag for customer metrics (retention, churn, repeat purchases, lifetime value).' }),
  }),
});

export const MetricInput = builder.inputType('MetricInput', {
  description: 'Which metric, over which range, filtered, grouped and bucketed how.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'A key from `metricDefinitions`.' }),
    from: t.field({ type: 'DateTime', required: true, description: 'Range start (inclusive).' }),
    to: t.field({ type: 'DateTime', required: true, description: 'Range end (exclusive); at most 400 days after `from`.' }),
    filter: t.field({ type: MetricFilterInput, required: false, description: 'Conditions on the samples.' }),
    groupBy: t.field({ type: DimensionEnum, required: false, description: 'Also compute the value per group.' }),
    bucket: t.field({ type: BucketEnum, required: false, description: 'Also compute a time series.' }),
    timeZone: t.string({ required: false, description: 'IANA time zone for buckets (default: the workspace\'s).' }),
    statistic: t.field({ type: StatisticEnum, required: false, description: 'Default: the metric\'s default statistic.' }),
    clock: t.field({ type: ClockEnum, required: false, description: 'Default CALENDAR. BUSINESS (durations only) needs `calendarId`.' }),
    calendarId: t.globalID({
      required: false,
      description: 'clock: BUSINESS only: the BusinessCalendar whose open hours (minus its holidays) count toward each duration.',
    }),
    firstResponseFrom: t.field({
      type: FirstResponseFromEnum,
      required: false,
      description: 'conversation_first_response_time only: where the clock starts (default FIRST_CUSTOMER_MESSAGE).',
    }),
    currency: t.string({
      required: false,
      description: "MONEY metrics only: the ISO 4217 code to report in, e.g. \"EUR\" (default: the workspace's main currency, echoed in the result). Amounts in other currencies are never added in.",
    }),
  }),
});

interface Point {
  value: number | null;
  sampleSize: number;
}

const MetricGroupRef = builder.objectRef<Point & { key: string | null }>('MetricGroup').implement({
  description: 'The value for one group.',
  fields: (t) => ({
    key: t.string({ nullable: true, description: 'Group key (an ID for teams, agents, organizations, customers; an enum value otherwise); null: none set.', resolve: (g) => g.key }),
    value: t.float({ nullable: true, description: 'Null when there are no samples (never 0 for "no data").', resolve: (g) => g.value }),
    sampleSize: t.int({ description: 'Samples in the group.', resolve: (g) => g.sampleSize }),
  }),
});

const MetricPointRef = builder.objectRef<Point & { bucketStart: Date }>('MetricPoint').implement({
  description: 'The value for one time bucket.',
  fields: (t) => ({
    bucketStart: t.field({ type: 'DateTime', description: 'Start of the bucket (local midnight etc. in the requested time zone, as an instant).', resolve: (p) => p.bucketStart }),
    value: t.float({ nullable: true, description: 'Null for an empty bucket (COUNT: 0).', resolve: (p) => p.value }),
    sampleSize: t.int({ description: 'Samples in the bucket.', resolve: (p) => p.sampleSize }),
  }),
});

interface Result extends Point {
  definition: MetricDefinition;
  statistic: Statistic;
  clock: Clock;
  timeZone: string;
  groups: Array<Point & { key: string | null }>;
  series: Array<Point & { bucketStart: Date }>;
  asOf?: Date;
  /** MONEY metrics: the currency of the values. */
  currency?: string | null;
}

export const MetricResultRef = builder.objectRef<Result>('MetricResult').implement({
  description: 'A metric\'s value over a range, with its groups and time series, and how it was computed.',
  fields: (t) => ({
    definition: t.field({ type: MetricDefinitionRef, description: 'The definition used.', resolve: (r) => r.definition }),
    definitionVersion: t.int({ description: 'Version of the definition used.', resolve: (r) => r.definition.version }),
    statistic: t.field({ type: StatisticEnum, description: 'Statistic used.', resolve: (r) => r.statistic }),
    clock: t.field({ type: ClockEnum, description: 'Clock used.', resolve: (r) => r.clock }),
    timeZone: t.string({ description: 'Time zone of the buckets.', resolve: (r) => r.timeZone }),
    value: t.float({ nullable: true, description: 'Overall value; null when there are no samples (COUNT: 0).', resolve: (r) => r.value }),
    sampleSize: t.int({ description: 'Samples in the range after filtering.', resolve: (r) => r.sampleSize }),
    asOf: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'SNAPSHOT metrics: the instant of `value` and `groups` — the range end, or now when the range ends later; null for SAMPLES metrics.',
      resolve: (r) => r.asOf ?? null,
    }),
    currency: t.string({
      nullable: true,
      description: 'MONEY metrics: the ISO 4217 currency of the values (the requested one, or the workspace\'s main currency); null otherwise, or when there are no valued purchases.',
      resolve: (r) => r.currency ?? null,
    }),
    groups: t.field({ type: [MetricGroupRef], description: 'Per group, when `groupBy` was given.', resolve: (r) => r.groups }),
    series: t.field({ type: [MetricPointRef], description: 'Per bucket, when `bucket` was given, empty buckets included.', resolve: (r) => r.series }),
  }),
});

const GROUP_TYPE: Partial<Record<Dimension, string>> = { TEAM: 'Team', AGENT: 'Agent', ORGANIZATION: 'Organization', CUSTOMER: 'Customer' };
const bad = (message: string, argument: string) => requestError(ErrorCode.BAD_USER_INPUT, message, { argument });

/** What `metric` (and `metricUpdated`) accept. */
export type MetricInputValue = typeof MetricInput.$inferInput;
export type MetricResultValue = Result;

/**
 * Validates a metric input for the caller's workspace (every invalid combination is a
 * BAD_USER_INPUT naming the argument) and returns the computation, to run now or again later.
 */
export async function prepareMetric(ctx: Context, input: MetricInputValue): Promise<{ definition: MetricDefinition; compute: () => Promise<MetricResultValue> }> {
  const definition = metricByKey(input.key);
  if (!definition) throw bad(`input.key: unknown metric "${input.key.slice(0, 64)}"; see metricDefinitions`, 'input.key');
  const statistic = (input.statistic ?? definition.defaultStatistic) as Statistic;
  if (!definition.statistics.includes(statistic)) {
    throw bad(`input.statistic: ${definition.key} supports ${definition.statistics.join(', ')}`, 'input.statistic');
  }
  const clock: Clock = input.clock ?? 'CALENDAR';
  if (!clocksOf(definition).includes(clock)) throw bad(`input.clock: ${definition.key} supports ${clocksOf(definition).join(', ')}`, 'input.clock');
  if (clock === 'BUSINESS' && !input.calendarId) throw bad('input.calendarId: required with clock: BUSINESS', 'input.calendarId');
  if (clock !== 'BUSINESS' && input.calendarId) throw bad('input.calendarId: only used with clock: BUSINESS', 'input.calendarId');
  if (input.groupBy && !definition.dimensions.includes(input.groupBy as Dimension)) {
    throw bad(`input.groupBy: ${definition.key} can be grouped by ${definition.dimensions.join(', ')}`, 'input.groupBy');
  }
  if (input.from >= input.to) throw bad('input.to: must be after `from`', 'input.to');
  if (input.to.getTime() - input.from.getTime() > 400 * 86_400_000) throw bad('input.to: the range is at most 400 days', 'input.to');
  const workspaceId = workspaceIdOf(ctx);
  const timeZone = input.timeZone ?? (await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone;
  if (!isTimeZone(timeZone)) throw bad('input.timeZone: must be an IANA time zone, e.g. "Europe/Berlin"', 'input.timeZone');
  if (input.bucket && definition.periodOnly) {
    throw bad(`input.bucket: ${definition.key} describes the whole range as one period and has no time buckets`, 'input.bucket');
  }
  if (input.bucket === 'HOUR' && input.to.getTime() - input.from.getTime() > 31 * 86_400_000) {
    throw bad('input.bucket: HOUR buckets cover at most 31 days', 'input.bucket');
  }
  if (input.firstResponseFrom && definition.key !== 'conversation_first_response_time') {
    throw bad('input.firstResponseFrom: only conversation_first_response_time has this option', 'input.firstResponseFrom');
  }
  if (input.currency !== null && input.currency !== undefined) {
    if (definition.unit !== 'MONEY') throw bad(`input.currency: only for MONEY metrics; ${definition.key} is in ${definition.unit}`, 'input.currency');
    if (!/^[A-Z]{3}$/.test(input.currency)) throw bad('input.currency: must be an ISO 4217 code in capitals, e.g. "EUR"', 'input.currency');
  }
  let businessCalendarId: string | null = null;
  if (input.calendarId) {
    const id = idOfType(input.calendarId as GlobalIdArg, 'BusinessCalendar', 'input.calendarId');
    const calendar = await ctx.prisma.businessCalendar.findFirst({ where: { id, ...inWorkspace(ctx) }, select: { id: true } });
    if (!calendar) throw requestError(ErrorCode.NOT_FOUND, 'input.calendarId: business calendar not found', { argument: 'input.calendarId' });
    businessCalendarId = calendar.id;
  }
  const f = input.filter ?? {};
  const query = {
    workspaceId,
    metric: definition,
    statistic,
    from: input.from,
    to: input.to,
    timeZone,
    groupBy: (input.groupBy as Dimension | null) ?? null,
    bucket: (input.bucket as Bucket | null) ?? null,
    options: { firstResponseFrom: input.firstResponseFrom ?? 'FIRST_CUSTOMER_MESSAGE', businessCalendarId, currency: input.currency ?? null },
    filter: {
      teamId: optionalIdOfType(f.teamId as GlobalIdArg | null, 'Team', 'input.filter.teamId'),
      agentId: optionalIdOfType(f.agentId as GlobalIdArg | null, 'Agent', 'input.filter.agentId'),
      organizationId: optionalIdOfType(f.organizationId as GlobalIdArg | null, 'Organization', 'input.filter.organizationId'),
      customerId: optionalIdOfType(f.customerId as GlobalIdArg | null, 'Customer', 'input.filter.customerId'),
      channel: f.channel ?? null,
      function: f.function ?? null,
      priority: f.priority ?? null,
      tag: f.tag ?? null,
    },
  };
  const type = input.groupBy ? GROUP_TYPE[input.groupBy as Dimension] : undefined;
  const compute = async (): Promise<MetricResultValue> => {
    const [result, currency] = await Promise.all([
      ctx.expensive.run(workspaceId, () => computeMetric(ctx.prisma, query)),
      definition.unit === 'MONEY' ? (input.currency ?? mainCurrencyOf(ctx.prisma, workspaceId)) : null,
    ]);
    return {
      ...result,
      currency,
      definition,
      statistic,
      clock,
      timeZone,
      groups: result.groups.map((g) => ({ ...g, key: g.key && type ? encodeGlobalId(type, g.key) : g.key })),
    };
  };
  return { definition, compute };
}

builder.queryFields((t) => ({
  metricDefinitions: t.field({
    type: [MetricDefinitionRef],
    description: 'Every metric cxgraph computes, with its definition.',
    authScopes: { scope: 'metrics:read' },
    resolve: () => METRICS,
  }),
  metric: t.field({
    type: MetricResultRef,
    description: 'Computes one metric exactly, in the database. Invalid combinations (an unsupported statistic, clock or dimension) are BAD_USER_INPUT.',
    authScopes: { scope: 'metrics:read' },
    // One aggregate statement over up to 400 days of samples (bench:metrics: 0.1–10 s at a
    // million tickets, where a page of rows takes milliseconds): 50 row loads, so one request
    // holds at most ~19 metrics and a full bucket ~40.
    extensions: cost({ complexity: 50 }),
    args: { input: t.arg({ type: MetricInput, required: true, description: 'What to compute.' }) },
    resolve: async (_root, { input }, ctx) => (await prepareMetric(ctx, input)).compute(),
  }),
}));
