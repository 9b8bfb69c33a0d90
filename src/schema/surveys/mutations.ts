import { builder } from '../../builder.ts';
import type { SurveyResponse } from '../../generated/prisma/client.ts';
import { SurveyKindEnum } from '../enums.ts';
import { mutationErrors } from '../errors.ts';
import { optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import { SurveyResponseRef } from './types.ts';
import * as service from './service.ts';

/** Survey mutations: send a survey, record an answer. Resolvers translate IDs and call the service. */

const SurveyResponsePayload = builder.objectRef<{ surveyResponse: SurveyResponse }>('SurveyResponsePayload').implement({
  description: 'The survey after the change.',
  fields: (t) => ({
    surveyResponse: t.field({ type: SurveyResponseRef, description: 'The survey (with its answer, once answered).', resolve: (p) => p.surveyResponse }),
  }),
});

const SendSurveyInput = builder.inputType('SendSurveyInput', {
  description: 'A survey sent to a customer, optionally about one of their conversations or tickets.',
  fields: (t) => ({
    kind: t.field({ type: SurveyKindEnum, required: true, description: 'CSAT, NPS or CES.' }),
    customerId: t.globalID({ required: true, description: 'Who is surveyed.' }),
    conversationId: t.globalID({ required: false, description: 'The conversation it is about; must be with the same customer.' }),
    ticketId: t.globalID({ required: false, description: 'The ticket it is about; must be requested by the same customer.' }),
  }),
});

const SubmitSurveyResponseInput = builder.inputType('SubmitSurveyResponseInput', {
  description:
    'A customer\'s answer: either to a sent survey (`surveyId`), or unsolicited (`kind` and `customerId`, optionally `conversationId` / `ticketId`).',
  fields: (t) => ({
    surveyId: t.globalID({ required: false, description: 'The sent survey being answered (a SurveyResponse ID).' }),
    kind: t.field({ type: SurveyKindEnum, required: false, description: 'For unsolicited feedback: the kind of score.' }),
    customerId: t.globalID({ required: false, description: 'For unsolicited feedback: who gave it.' }),
    conversationId: t.globalID({ required: false, description: 'For unsolicited feedback: the conversation it is about.' }),
    ticketId: t.globalID({ required: false, description: 'For unsolicited feedback: the ticket it is about.' }),
    score: t.int({ required: true, description: 'CSAT 1–5, NPS 0–10, CES 1–7.' }),
    comment: t.string({ required: false, description: 'Free text, at most 2000 characters.' }),
  }),
});

const ids = (input: { customerId?: unknown; conversationId?: unknown; ticketId?: unknown }) => ({
  customerId: optionalIdOfType(input.customerId as GlobalIdArg | null | undefined, 'Customer', 'input.customerId'),
  conversationId: optionalIdOfType(input.conversationId as GlobalIdArg | null | undefined, 'Conversation', 'input.conversationId'),
  ticketId: optionalIdOfType(input.ticketId as GlobalIdArg | null | undefined, 'Ticket', 'input.ticketId'),
});

builder.mutationFields((t) => ({
  sendSurvey: t.field({
    type: SurveyResponsePayload,
    description: 'Records that a survey was sent to a customer; it stays unanswered (score null) until `submitSurveyResponse`.',
    authScopes: { scope: 'surveys:write' },
    errors: mutationErrors('sendSurvey'),
    args: { input: t.arg({ type: SendSurveyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      surveyResponse: await service.sendSurvey(ctx.prisma, actorOf(ctx), { ...input, ...ids(input) }),
    }),
  }),

  submitSurveyResponse: t.field({
    type: SurveyResponsePayload,
    description:
      'Records a customer\'s score (and comment): the answer to a sent survey, or unsolicited feedback. A survey is answered once; answering again is an InvalidStateError.',
    authScopes: { scope: 'surveys:write' },
    errors: mutationErrors('submitSurveyResponse'),
    args: { input: t.arg({ type: SubmitSurveyResponseInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      surveyResponse: await service.submitSurveyResponse(ctx.prisma, actorOf(ctx), {
        ...input,
        ...ids(input),
        surveyId: optionalIdOfType(input.surveyId as GlobalIdArg | null | undefined, 'SurveyResponse', 'input.surveyId'),
      }),
    }),
  }),
}));
