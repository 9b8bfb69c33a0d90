import type { Faker } from '@faker-js/faker';
import type {
  Agent,
  ApiKey,
  Article,
  ArticleCategory,
  ArticleVersion,
  BusinessCalendar,
  BusinessHoliday,
  BusinessHoursInterval,
  Conversation,
  Customer,
  CustomerEvent,
  CxFunction,
  Message,
  Organization,
  SlaPolicy,
  SlaTarget,
  SurveyResponse,
  Team,
  TeamMembership,
  Ticket,
  TicketComment,
  TicketEvent,
  WorkEntry,
  Workspace,
} from '../../src/generated/prisma/client.ts';
import type { IdFactory, Rng } from './rng.ts';

/** Rows to insert, per table, typed as the Prisma models so every column must be present. */
export interface RowBag {
  Workspace: Workspace[];
  Agent: Agent[];
  Team: Team[];
  TeamMembership: TeamMembership[];
  ApiKey: ApiKey[];
  BusinessCalendar: BusinessCalendar[];
  BusinessHoursInterval: BusinessHoursInterval[];
  BusinessHoliday: BusinessHoliday[];
  SlaPolicy: SlaPolicy[];
  SlaTarget: SlaTarget[];
  ArticleCategory: ArticleCategory[];
  Article: Article[];
  ArticleVersion: ArticleVersion[];
  Organization: Organization[];
  Customer: Customer[];
  CustomerEvent: CustomerEvent[];
  Conversation: Conversation[];
  Message: Message[];
  Ticket: Ticket[];
  TicketComment: TicketComment[];
  TicketEvent: TicketEvent[];
  SurveyResponse: SurveyResponse[];
  WorkEntry: WorkEntry[];
}

export type TableName = keyof RowBag;

/** Parents before children, so foreign keys hold after every statement. */
export const INSERT_ORDER: readonly TableName[] = [
  'Workspace',
  'Agent',
  'Team',
  'TeamMembership',
  'ApiKey',
  'BusinessCalendar',
  'BusinessHoursInterval',
  'BusinessHoliday',
  'SlaPolicy',
  'SlaTarget',
  'ArticleCategory',
  'Article',
  'ArticleVersion',
  'Organization',
  'Customer',
  'CustomerEvent',
  'Conversation',
  'Message',
  'Ticket',
  'TicketComment',
  'TicketEvent',
  'SurveyResponse',
  'WorkEntry',
];

export function emptyBag(): RowBag {
  return Object.fromEntries(INSERT_ORDER.map((t) => [t, []])) as unknown as RowBag;
}

/** What every generator needs: randomness, the clock, and the tenant. */
export interface SeedContext {
  rng: Rng;
  ids: IdFactory;
  faker: Faker;
  workspaceId: string;
  /** The seed's "now" in epoch ms; no generated timestamp is later. */
  now: number;
  /** Start of the activity window (90 days before now). */
  windowStart: number;
  /** When the workspace was set up: a week before the window. */
  setupAt: number;
}

export type TeamKey = 'service' | 'tier1' | 'tier2';

export interface StaffAgent {
  id: string;
  name: string;
  firstName: string;
  /** Teams whose queues this agent works (viewers work none). */
  teams: TeamKey[];
}

export interface StaffTeam {
  id: string;
  key: TeamKey;
  name: string;
  function: CxFunction;
  /** Agents who answer this team's conversations and tickets. */
  workers: StaffAgent[];
}

export interface Staff {
  agents: StaffAgent[];
  admin: StaffAgent;
  teams: Record<TeamKey, StaffTeam>;
  apiKeyId: string;
  slaPolicyId: string;
}

export interface CustomerProfile {
  index: number;
  id: string;
  firstName: string;
  name: string | null;
  organizationId: string | null;
  currency: string;
  vip: boolean;
  /** Phone-only contacts write on WhatsApp, SMS or phone. */
  hasEmail: boolean;
  firstSeenAt: number;
  /** Latest activity seen so far; becomes Customer.lastSeenAt. */
  lastSeenAt: number;
}

/** Records customer activity so lastSeenAt ends up as the latest thing the customer did. */
export function touch(customer: CustomerProfile, at: number): void {
  if (at > customer.lastSeenAt) customer.lastSeenAt = at;
}
