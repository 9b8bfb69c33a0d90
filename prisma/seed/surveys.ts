import type { Conversation, SurveyKind, Ticket } from '../../src/generated/prisma/client.ts';
import { SURVEY_COMPLAINTS, SURVEY_PRAISE } from './content/phrases.ts';
import { DAY, HOUR, MINUTE, type Rng } from './rng.ts';
import { touch, type CustomerProfile, type RowBag, type SeedContext } from './types.ts';

/**
 * Surveys are sent after a resolution (CSAT, CES) or periodically (NPS). Many are never
 * answered: those keep score and respondedAt null, which response-rate metrics rely on.
 */

const GOOD_CSAT = [[5, 55], [4, 30], [3, 9], [2, 4], [1, 2]] as const;
const POOR_CSAT = [[5, 20], [4, 25], [3, 25], [2, 15], [1, 15]] as const;
const NPS = [[10, 18], [9, 22], [8, 18], [7, 14], [6, 8], [5, 6], [4, 4], [3, 3], [2, 3], [1, 2], [0, 2]] as const;
/** CES 1–7, where 7 means "very easy". */
const CES = [[7, 25], [6, 30], [5, 20], [4, 10], [3, 8], [2, 4], [1, 3]] as const;
const PRAISE_FROM: Record<SurveyKind, number> = { CSAT: 4, NPS: 9, CES: 6 };

interface SurveyTarget {
  conversationId?: string;
  ticketId?: string;
}

function send(ctx: SeedContext, rng: Rng, rows: RowBag, customer: CustomerProfile, kind: SurveyKind, sentAt: number, score: number, target: SurveyTarget): void {
  if (sentAt > ctx.now) return;
  const respondedAt = sentAt + rng.duration(3 * HOUR, 1.3);
  const answered = rng.chance(kind === 'NPS' ? 0.35 : 0.55) && respondedAt <= ctx.now;
  let comment: string | null = null;
  if (answered && rng.chance(0.3)) comment = rng.pick(score >= PRAISE_FROM[kind] ? SURVEY_PRAISE : SURVEY_COMPLAINTS);
  rows.SurveyResponse.push({
    id: ctx.ids.at(sentAt), workspaceId: ctx.workspaceId, kind, customerId: customer.id,
    conversationId: target.conversationId ?? null, ticketId: target.ticketId ?? null,
    score: answered ? score : null, comment, sentAt: new Date(sentAt), respondedAt: answered ? new Date(respondedAt) : null, createdAt: new Date(sentAt),
  });
  if (answered) touch(customer, respondedAt);
}

/** CSAT (and now and then a transactional NPS) after a conversation is first resolved. */
export function conversationSurveys(ctx: SeedContext, rng: Rng, conversation: Conversation, customer: CustomerProfile, rows: RowBag): void {
  const resolved = conversation.firstResolvedAt?.getTime();
  if (resolved === undefined || !rng.chance(0.5)) return;
  const slow = (conversation.firstAgentResponseAt?.getTime() ?? resolved) - conversation.createdAt.getTime() > DAY;
  const poor = conversation.reopenCount > 0 || slow || (conversation.botHandoffAt !== null && rng.chance(0.3));
  const target = { conversationId: conversation.id };
  send(ctx, rng, rows, customer, 'CSAT', resolved + rng.int(1, 10) * MINUTE, rng.weighted(poor ? POOR_CSAT : GOOD_CSAT), target);
  if (rng.chance(0.1)) send(ctx, rng, rows, customer, 'NPS', resolved + rng.int(1, 3) * DAY, rng.weighted(NPS), target);
}

/** CSAT after most solved tickets, CES after support tickets. */
export function ticketSurveys(ctx: SeedContext, rng: Rng, ticket: Ticket, customer: CustomerProfile, rows: RowBag): void {
  const solved = ticket.firstSolvedAt?.getTime();
  if (solved === undefined || ticket.type === 'PROBLEM') return;
  const target = { ticketId: ticket.id };
  const poor = ticket.reopenCount > 0 || solved - ticket.createdAt.getTime() > 7 * DAY;
  if (rng.chance(0.6)) send(ctx, rng, rows, customer, 'CSAT', solved + rng.int(30, 90) * MINUTE, rng.weighted(poor ? POOR_CSAT : GOOD_CSAT), target);
  if (ticket.function === 'SUPPORT' && rng.chance(0.25)) {
    const score = rng.weighted(CES) - (poor ? rng.int(0, 2) : 0);
    send(ctx, rng, rows, customer, 'CES', solved + rng.int(60, 120) * MINUTE, Math.max(1, score), target);
  }
}

/** The quarterly relationship NPS, not tied to any conversation or ticket. */
export function relationshipSurvey(ctx: SeedContext, rng: Rng, customer: CustomerProfile, rows: RowBag): void {
  if (!rng.chance(0.4)) return;
  const from = Math.max(ctx.windowStart, customer.firstSeenAt + 14 * DAY);
  if (from >= ctx.now - DAY) return;
  send(ctx, rng, rows, customer, 'NPS', Math.floor(rng.between(from, ctx.now - HOUR)), rng.weighted(NPS), {});
}
