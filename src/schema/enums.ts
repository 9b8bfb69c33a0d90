import { builder } from '../builder.ts';
import {
  ActorKind,
  AgentRole,
  ArticleStatus,
  Channel,
  ConversationStatus,
  CxFunction,
  MessageAuthorKind,
  MessageDirection,
  OrganizationTier,
  SlaTargetKind,
  SurveyKind,
  TicketEventKind,
  TicketPriority,
  TicketStatus,
  TicketType,
} from '../generated/prisma/enums.ts';

/** GraphQL enums mirror the database enums one to one; each carries its domain meaning. */
export const AgentRoleEnum = builder.enumType(AgentRole, {
  name: 'AgentRole',
  description: 'What an agent may do: ADMIN manages the workspace, AGENT works conversations and tickets, VIEWER only reads.',
});
export const CxFunctionEnum = builder.enumType(CxFunction, {
  name: 'CxFunction',
  description:
    'Which side of customer experience the work belongs to: SERVICE (proactive, relationship, the whole journey) or SUPPORT (reactive, technical, after purchase).',
});
export const OrganizationTierEnum = builder.enumType(OrganizationTier, {
  name: 'OrganizationTier',
  description: 'Commercial tier of an organization, used for routing and SLAs.',
});
export const ChannelEnum = builder.enumType(Channel, {
  name: 'Channel',
  description: 'The channel a conversation happens on.',
});
export const ConversationStatusEnum = builder.enumType(ConversationStatus, {
  name: 'ConversationStatus',
  description: 'OPEN: needs the team; PENDING: waiting on the customer; SNOOZED: hidden until a time; RESOLVED: done.',
});
export const MessageAuthorKindEnum = builder.enumType(MessageAuthorKind, {
  name: 'MessageAuthorKind',
  description: 'Who wrote a message.',
});
export const MessageDirectionEnum = builder.enumType(MessageDirection, {
  name: 'MessageDirection',
  description: 'INBOUND: from the customer; OUTBOUND: to the customer.',
});
export const TicketStatusEnum = builder.enumType(TicketStatus, {
  name: 'TicketStatus',
  description:
    'Lifecycle of a ticket. NEW → OPEN, PENDING, ON_HOLD or SOLVED; OPEN, PENDING and ON_HOLD move freely among each other and to SOLVED; SOLVED → OPEN (a reopen) or CLOSED; CLOSED is final.',
});
export const TicketPriorityEnum = builder.enumType(TicketPriority, { name: 'TicketPriority', description: 'Urgency of a ticket; SLA targets are set per priority.' });
export const TicketTypeEnum = builder.enumType(TicketType, {
  name: 'TicketType',
  description: 'QUESTION, INCIDENT (one occurrence of a problem), PROBLEM (root cause linking incidents), TASK.',
});
export const ActorKindEnum = builder.enumType(ActorKind, { name: 'ActorKind', description: 'Who performed an action.' });
export const TicketEventKindEnum = builder.enumType(TicketEventKind, { name: 'TicketEventKind', description: 'Kind of entry in a ticket\'s audit trail.' });
export const SlaTargetKindEnum = builder.enumType(SlaTargetKind, { name: 'SlaTargetKind', description: 'Which clock an SLA target measures.' });
export const ArticleStatusEnum = builder.enumType(ArticleStatus, { name: 'ArticleStatus', description: 'Publication state of a knowledge-base article.' });
export const SurveyKindEnum = builder.enumType(SurveyKind, {
  name: 'SurveyKind',
  description: 'CSAT (satisfaction, 1–5), NPS (likelihood to recommend, 0–10), CES (effort, 1–7).',
});
