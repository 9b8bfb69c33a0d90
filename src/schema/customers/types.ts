import { builder } from '../../builder.ts';
import { OrganizationTierEnum } from '../enums.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { byIdInWorkspace } from '../tenancy.ts';

export const OrganizationRef = builder.prismaNode('Organization', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description: 'A company whose people are customers (a B2B account).',
  authScopes: { scope: 'customers:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    domains: t.exposeStringList('domains', { description: 'Email domains that identify the organization\'s people.' }),
    plan: t.exposeString('plan', { nullable: true, description: 'Commercial plan as the business names it.' }),
    tier: t.expose('tier', { type: OrganizationTierEnum, description: 'Commercial tier.' }),
    attributes: t.expose('attributes', { type: 'JSON', description: 'Custom attributes set by the business.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the organization was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

export const CustomerRef = builder.prismaNode('Customer', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'One person the company serves and supports. Service and support share this record, so a customer never has to repeat themselves.',
  authScopes: { scope: 'customers:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'Full name, if known.' }),
    email: t.exposeString('email', { nullable: true, description: 'Email address, lower-cased; unique in the workspace.' }),
    phone: t.exposeString('phone', { nullable: true, description: 'Phone number (E.164 where known).' }),
    externalId: t.exposeString('externalId', { nullable: true, description: 'The customer\'s id in the company\'s own systems.' }),
    locale: t.exposeString('locale', { nullable: true, description: 'Preferred language (BCP 47), e.g. "en" or "de-CH".' }),
    timeZone: t.exposeString('timeZone', { nullable: true, description: 'IANA time zone, e.g. "Europe/Berlin".' }),
    tags: t.exposeStringList('tags', { description: 'Free-form labels.' }),
    attributes: t.expose('attributes', { type: 'JSON', description: 'Custom attributes set by the business.' }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'First interaction with the company.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'Latest interaction with the company.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the record was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change to the record.' }),
    organization: t.relation('organization', { nullable: true, description: 'The organization the customer belongs to.' }),
  }),
});

export const CustomerEventRef = builder.prismaNode('CustomerEvent', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'A behavioural event from the customer\'s journey: signup, purchase, login, cancellation…',
  authScopes: { scope: 'customers:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    type: t.exposeString('type', { description: 'lower_snake_case event type, e.g. "purchase".' }),
    value: t.float({
      nullable: true,
      description: 'Monetary value (negative for refunds).',
      select: { value: true },
      resolve: (e) => (e.value === null ? null : Number(e.value)),
    }),
    currency: t.exposeString('currency', { nullable: true, description: 'ISO 4217 currency of `value`.' }),
    properties: t.expose('properties', { type: 'JSON', description: 'Anything else recorded with the event.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened.' }),
    customer: t.relation('customer', { description: 'Whose event it is.' }),
  }),
});

builder.prismaObjectFields('Customer', (t) => ({
  events: t.relatedConnection(
    'events',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Behavioural events, newest first.',
      totalCount: true,
      query: () => ({ orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] }),
    },
    connectionOptions('CustomerEvent', 'A page of customer events.'),
    edgeOptions('CustomerEvent'),
  ),
}));

builder.prismaObjectFields('Organization', (t) => ({
  customers: t.relatedConnection(
    'customers',
    {
      cursor: 'id',
      ...pageSize,
      description: 'People of this organization (merged-away records left out), oldest first.',
      totalCount: true,
      query: () => ({ where: { mergedIntoId: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    },
    connectionOptions('OrganizationCustomer', 'A page of an organization\'s customers.'),
    edgeOptions('OrganizationCustomer'),
  ),
}));
