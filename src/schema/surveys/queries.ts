import type { Prisma } from '../../generated/prisma/client.ts';
import type { SurveyKind } from '../../generated/prisma/enums.ts';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { SurveyKindEnum } from '../enums.ts';
import { idOfType, type GlobalIdArg } from '../global-id.ts';
import { DateTimeRangeInput, rangeWhere, SortDirectionEnum, type DateTimeRange } from '../inputs.ts';
import { inWorkspace } from '../tenancy.ts';

const SurveyResponseFilter = builder.inputType('SurveyResponseFilter', {
  description: 'Narrows the survey list. All given conditions must hold.',
  fields: (t) => ({
    kind: t.field({ type: SurveyKindEnum, required: false, description: 'Only this kind of survey.' }),
    customerId: t.globalID({ required: false, description: 'Surveys of this customer.' }),
    conversationId: t.globalID({ required: false, description: 'Surveys about this conversation.' }),
    ticketId: t.globalID({ required: false, description: 'Surveys about this ticket.' }),
    answered: t.boolean({ required: false, description: 'True: only answered surveys; false: only those still waiting for an answer.' }),
    sentAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Sent in this range.' }),
    respondedAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Answered in this range (implies answered).' }),
  }),
});

const SurveyResponseOrderField = builder.enumType('SurveyResponseOrderField', {
  description: 'What to sort surveys by (ties are broken by id, so paging is stable).',
  values: {
    SENT_AT: { value: 'sentAt', description: 'When the survey was sent.' },
    CREATED_AT: { value: 'createdAt', description: 'When the record was created.' },
  } as const,
});

const SurveyResponseOrderBy = builder.inputType('SurveyResponseOrderBy', {
  description: 'Sort order for surveys.',
  fields: (t) => ({
    field: t.field({ type: SurveyResponseOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: SortDirectionEnum, required: false, defaultValue: 'desc', description: 'Default DESC (newest first).' }),
  }),
});

interface SurveyFilterShape {
  kind?: SurveyKind | null;
  customerId?: GlobalIdArg | null;
  conversationId?: GlobalIdArg | null;
  ticketId?: GlobalIdArg | null;
  answered?: boolean | null;
  sentAt?: DateTimeRange | null;
  respondedAt?: DateTimeRange | null;
}

function surveyWhere(ctx: Context, filter: SurveyFilterShape | null | undefined): Prisma.SurveyResponseWhereInput {
  const where: Prisma.SurveyResponseWhereInput = inWorkspace(ctx);
  if (!filter) return where;
  if (filter.kind) where.kind = filter.kind;
  if (filter.customerId) where.customerId = idOfType(filter.customerId, 'Customer', 'filter.customerId');
  if (filter.conversationId) where.conversationId = idOfType(filter.conversationId, 'Conversation', 'filter.conversationId');
  if (filter.ticketId) where.ticketId = idOfType(filter.ticketId, 'Ticket', 'filter.ticketId');
  if (filter.sentAt) where.sentAt = rangeWhere(filter.sentAt);
  // AND-ed, so `answered: false` with a respondedAt range is (correctly) empty.
  const responded: Prisma.SurveyResponseWhereInput[] = [];
  if (filter.answered != null) responded.push({ respondedAt: filter.answered ? { not: null } : null });
  const range = rangeWhere(filter.respondedAt);
  if (range) responded.push({ respondedAt: range });
  if (responded.length) where.AND = responded;
  return where;
}

builder.queryField('surveyResponses', (t) =>
  t.prismaConnection(
    {
      type: 'SurveyResponse',
      cursor: 'id',
      ...pageSize,
      description: 'CSAT, NPS and CES surveys of the workspace, answered or not. Default order: newest sent first.',
      authScopes: { scope: 'surveys:read' },
      args: {
        filter: t.arg({ type: SurveyResponseFilter, required: false, description: 'Conditions to match.' }),
        orderBy: t.arg({ type: SurveyResponseOrderBy, required: false, description: 'Sort order; default SENT_AT DESC.' }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.surveyResponse.count({ where: surveyWhere(ctx, args.filter) }),
      resolve: (query, _root, args, ctx) => {
        const direction = args.orderBy?.direction ?? 'desc';
        const field = args.orderBy?.field ?? 'sentAt';
        return ctx.prisma.surveyResponse.findMany({ ...query, where: surveyWhere(ctx, args.filter), orderBy: [{ [field]: direction }, { id: direction }] });
      },
    },
    connectionOptions('SurveyResponse', 'A page of surveys.'),
    edgeOptions('SurveyResponse'),
  ),
);
