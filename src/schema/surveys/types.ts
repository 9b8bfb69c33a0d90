import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { SurveyKindEnum } from '../enums.ts';
import { byIdInWorkspace } from '../tenancy.ts';

export const SurveyResponseRef = builder.prismaNode('SurveyResponse', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'A CSAT, NPS or CES survey sent to a customer and, once answered, the answer. `score` and `respondedAt` stay null until the customer responds, so response rates can be computed.',
  authScopes: { scope: 'surveys:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    kind: t.expose('kind', { type: SurveyKindEnum, description: 'CSAT (1–5), NPS (0–10) or CES (1–7).' }),
    score: t.exposeInt('score', { nullable: true, description: 'The answer on the kind\'s scale; null until answered.' }),
    comment: t.exposeString('comment', { nullable: true, description: 'What the customer wrote with their score, if anything.' }),
    customer: t.relation('customer', { description: 'Who was surveyed.' }),
    conversation: t.relation('conversation', { nullable: true, description: 'The conversation the survey is about, if any.' }),
    ticket: t.relation('ticket', { nullable: true, description: 'The ticket the survey is about, if any.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', description: 'When the survey was sent (for unsolicited feedback: when it arrived).' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true, description: 'When the customer answered; null while unanswered.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the record was created.' }),
  }),
});

builder.prismaObjectFields('Customer', (t) => ({
  surveyResponses: t.relatedConnection(
    'surveyResponses',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Surveys sent to this customer, answered or not, newest first. Needs `surveys:read`.',
      authScopes: { scope: 'surveys:read' },
      totalCount: true,
      query: () => ({ orderBy: [{ sentAt: 'desc' }, { id: 'desc' }] }),
    },
    connectionOptions('CustomerSurveyResponse', 'A page of a customer\'s surveys.'),
    edgeOptions('CustomerSurveyResponse'),
  ),
}));
