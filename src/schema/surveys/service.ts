import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import type { PrismaClient, SurveyKind, SurveyResponse } from '../../generated/prisma/client.ts';
import { recordEvents } from '../../events/outbox.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { parseInput, type Actor } from '../service-kit.ts';

/**
 * Surveys: a survey is recorded when sent (score and respondedAt null) and answered once;
 * feedback that arrives without a sent survey is recorded already answered. Scores must lie on
 * the kind's scale (the database enforces the same ranges as a last line of defence).
 */

export const SCORE_RANGES: Record<SurveyKind, { min: number; max: number }> = {
  CSAT: { min: 1, max: 5 },
  NPS: { min: 0, max: 10 },
  CES: { min: 1, max: 7 },
};

function checkScore(kind: SurveyKind, score: number) {
  const { min, max } = SCORE_RANGES[kind];
  if (score < min || score > max) {
    throw new ValidationError(`input.score: a ${kind} score is between ${min} and ${max}, got ${score}`, 'input.score');
  }
}

const uuid = z.string().uuid();
const kind = z.enum(['CSAT', 'NPS', 'CES']);
const comment = z.string().trim().max(2000, 'must be at most 2000 characters');

const subject = {
  customerId: uuid,
  conversationId: uuid.nullish(),
  ticketId: uuid.nullish(),
};

/**
 * The customer must be a live record of the workspace, and a referenced conversation or ticket
 * must belong to that same customer (a survey about someone else's ticket is a mistake).
 */
async function checkSubject(prisma: PrismaClient, actor: Actor, s: { customerId: string; conversationId?: string | null; ticketId?: string | null }) {
  const [customer, conversation, ticket] = await Promise.all([
    prisma.customer.findFirst({ where: { id: s.customerId, workspaceId: actor.workspaceId }, select: { mergedIntoId: true } }),
    s.conversationId
      ? prisma.conversation.findFirst({ where: { id: s.conversationId, workspaceId: actor.workspaceId }, select: { customerId: true } })
      : null,
    s.ticketId ? prisma.ticket.findFirst({ where: { id: s.ticketId, workspaceId: actor.workspaceId }, select: { requesterId: true } }) : null,
  ]);
  if (!customer) throw new NotFoundError('Customer', 'input.customerId');
  if (customer.mergedIntoId) throw new InvalidStateError('input.customerId: this customer was merged into another record; survey that one', 'input.customerId');
  if (s.conversationId) {
    if (!conversation) throw new NotFoundError('Conversation', 'input.conversationId');
    if (conversation.customerId !== s.customerId) {
      throw new ValidationError('input.conversationId: the conversation is with another customer', 'input.conversationId');
    }
  }
  if (s.ticketId) {
    if (!ticket) throw new NotFoundError('Ticket', 'input.ticketId');
    if (ticket.requesterId !== s.customerId) throw new ValidationError('input.ticketId: the ticket was requested by another customer', 'input.ticketId');
  }
}

/** The outbox event of a survey change, written as the last step of its transaction. */
function surveyEvent(tx: Prisma.TransactionClient, actor: Actor, type: 'survey.sent' | 'survey.answered', survey: SurveyResponse) {
  return recordEvents(tx, { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId }, [
    {
      type,
      subjectType: 'SurveyResponse',
      subjectId: survey.id,
      payload: { customerId: survey.customerId, conversationId: survey.conversationId, ticketId: survey.ticketId, kind: survey.kind },
    },
  ]);
}

export const SendSurveySchema = z.object({ kind, ...subject });

/** Records a survey as sent and not yet answered. */
export async function sendSurvey(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<SurveyResponse> {
  const input = parseInput(SendSurveySchema, raw);
  await checkSubject(prisma, actor, input);
  const now = new Date();
  return prisma.$transaction(async (tx) => {
    const survey = await tx.surveyResponse.create({
      data: {
        id: uuidv7(now),
        workspaceId: actor.workspaceId,
        kind: input.kind,
        customerId: input.customerId,
        conversationId: input.conversationId ?? null,
        ticketId: input.ticketId ?? null,
        sentAt: now,
        createdAt: now,
      },
    });
    await surveyEvent(tx, actor, 'survey.sent', survey);
    return survey;
  });
}

export const SubmitSurveyResponseSchema = z
  .object({
    surveyId: uuid.nullish(),
    kind: kind.nullish(),
    customerId: uuid.nullish(),
    conversationId: uuid.nullish(),
    ticketId: uuid.nullish(),
    score: z.number().int('must be a whole number'),
    comment: comment.nullish(),
  })
  .superRefine((i, ctx) => {
    if (i.surveyId) {
      for (const key of ['kind', 'customerId', 'conversationId', 'ticketId'] as const) {
        if (i[key] != null) ctx.addIssue({ code: 'custom', path: [key], message: 'give either surveyId, or kind and customerId — not both' });
      }
      return;
    }
    if (!i.kind) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'give the kind (or the surveyId of a sent survey)' });
    if (!i.customerId) ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'give the customerId (or the surveyId of a sent survey)' });
  });

/**
 * Records an answer: to a sent survey (`surveyId`), or unsolicited (kind + customer, optionally
 * about a conversation or ticket). A survey is answered once; the second answer is refused,
 * even when two arrive at the same time.
 */
export async function submitSurveyResponse(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<SurveyResponse> {
  const input = parseInput(SubmitSurveyResponseSchema, raw);
  const commentText = input.comment || null;
  const now = new Date();
  if (!input.surveyId) {
    checkScore(input.kind!, input.score);
    const subjectIds = { customerId: input.customerId!, conversationId: input.conversationId, ticketId: input.ticketId };
    await checkSubject(prisma, actor, subjectIds);
    return prisma.$transaction(async (tx) => {
      const survey = await tx.surveyResponse.create({
        data: {
          id: uuidv7(now),
          workspaceId: actor.workspaceId,
          kind: input.kind!,
          ...subjectIds,
          score: input.score,
          comment: commentText,
          sentAt: now,
          respondedAt: now,
          createdAt: now,
        },
      });
      await surveyEvent(tx, actor, 'survey.answered', survey);
      return survey;
    });
  }
  const survey = await prisma.surveyResponse.findFirst({ where: { id: input.surveyId, workspaceId: actor.workspaceId } });
  if (!survey) throw new NotFoundError('SurveyResponse', 'input.surveyId');
  checkScore(survey.kind, input.score);
  return prisma.$transaction(async (tx) => {
    // Only an unanswered survey matches, so of two simultaneous answers exactly one wins.
    const { count } = await tx.surveyResponse.updateMany({
      where: { id: survey.id, respondedAt: null },
      data: { score: input.score, comment: commentText, respondedAt: now },
    });
    if (count === 0) throw new InvalidStateError('input.surveyId: this survey was already answered', 'input.surveyId');
    const answered = await tx.surveyResponse.findUniqueOrThrow({ where: { id: survey.id } });
    await surveyEvent(tx, actor, 'survey.answered', answered);
    return answered;
  });
}
