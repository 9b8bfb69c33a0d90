import { brandWithType } from '@pothos/core';
import type { Context } from '../../context.ts';
import { encodeGlobalId } from '../global-id.ts';
import { inWorkspace } from '../tenancy.ts';

/**
 * What the change feed knows about the objects events are about: which Prisma model holds each
 * subject type, and which payload keys name objects (turned into global IDs for clients).
 */

/** Subject type (GraphQL type name) → Prisma delegate holding its rows. */
const MODEL_OF: Record<string, string> = {
  Customer: 'customer',
  Organization: 'organization',
  CustomerEvent: 'customerEvent',
  Conversation: 'conversation',
  Message: 'message',
  Ticket: 'ticket',
  Article: 'article',
  ArticleCategory: 'articleCategory',
  SurveyResponse: 'surveyResponse',
  SlaPolicy: 'slaPolicy',
  BusinessCalendar: 'businessCalendar',
};

/** Payload keys that hold raw ids, with the type they name; `null` means "the subject's own type". */
const ID_KEYS: Record<string, string | null> = {
  conversationId: 'Conversation',
  customerId: 'Customer',
  ticketId: 'Ticket',
  teamId: 'Team',
  assigneeId: 'Agent',
  organizationId: 'Organization',
  commentId: 'TicketComment',
  calendarId: 'BusinessCalendar',
  mergedIntoId: null,
  mergedFromId: null,
  parentId: null,
};

/** The payload as clients see it: raw ids replaced by global IDs. */
export function publicPayload(subjectType: string, payload: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((payload ?? {}) as Record<string, unknown>)) {
    const type = key in ID_KEYS ? (ID_KEYS[key] ?? subjectType) : undefined;
    out[key] = type && typeof value === 'string' ? encodeGlobalId(type, value) : value;
  }
  return out;
}

export interface SubjectRef {
  subjectType: string;
  subjectId: string;
}

/**
 * Loads the subjects of one page of events: one query per subject type, only when a client
 * selects `subject`, and at most once per page. Rows come branded with their GraphQL type so
 * the Node interface resolves them.
 */
export function subjectLoader(ctx: Context, refs: SubjectRef[]) {
  let loaded: Promise<Map<string, unknown>> | undefined;
  const load = async () => {
    const idsByType = new Map<string, Set<string>>();
    for (const r of refs) {
      if (!MODEL_OF[r.subjectType]) continue;
      if (!idsByType.has(r.subjectType)) idsByType.set(r.subjectType, new Set());
      idsByType.get(r.subjectType)!.add(r.subjectId);
    }
    const found = new Map<string, unknown>();
    await Promise.all(
      [...idsByType].map(async ([type, ids]) => {
        const delegate = (ctx.prisma as unknown as Record<string, { findMany(args: unknown): Promise<{ id: string }[]> }>)[MODEL_OF[type]!]!;
        const rows = await delegate.findMany({ where: { id: { in: [...ids] }, ...inWorkspace(ctx) } });
        for (const row of rows) {
          brandWithType(row, type as never);
          found.set(`${type}:${row.id}`, row);
        }
      }),
    );
    return found;
  };
  return async (ref: SubjectRef) => {
    loaded ??= load();
    return (await loaded).get(`${ref.subjectType}:${ref.subjectId}`) ?? null;
  };
}
