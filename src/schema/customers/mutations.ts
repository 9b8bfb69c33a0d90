import { builder } from '../../builder.ts';
import { mutationErrors } from '../errors.ts';
import type { Customer, CustomerEvent, Organization } from '../../generated/prisma/client.ts';
import { OrganizationTierEnum } from '../enums.ts';
import { idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { CustomerEventRef, CustomerRef, OrganizationRef } from './types.ts';
import { actorOf } from '../service-kit.ts';
import * as service from './service.ts';

/**
 * Customer and organization mutations: one `input` argument, a union result of the success
 * payload and typed errors. Resolvers only translate GraphQL shapes and call the service.
 */

const CustomerPayload = builder.objectRef<{ customer: Customer }>('CustomerPayload').implement({
  description: 'The customer after the change.',
  fields: (t) => ({ customer: t.field({ type: CustomerRef, description: 'The customer.', resolve: (p) => p.customer }) }),
});

const customerInputFields = (t: any, create: boolean) => ({
  name: t.string({ required: false, description: 'Full name.' }),
  email: t.string({ required: false, description: 'Email address; unique in the workspace.' }),
  phone: t.string({ required: false, description: 'Phone number.' }),
  externalId: t.string({ required: false, description: 'Id in the company\'s own systems; unique in the workspace.' }),
  locale: t.string({ required: false, description: 'BCP 47 language tag.' }),
  timeZone: t.string({ required: false, description: 'IANA time zone.' }),
  tags: t.stringList({ required: false, description: create ? 'Labels.' : 'Replaces the labels.' }),
  attributes: t.field({
    type: 'JSON',
    required: false,
    description: create ? 'Custom attributes (a JSON object).' : 'Attributes to merge in, key by key; a null value removes a key.',
  }),
  organizationId: t.globalID({ required: false, description: 'Organization the customer belongs to (default: matched by email domain).' }),
});

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  description: 'A new customer. Give at least one of name, email, phone or externalId.',
  fields: (t) => customerInputFields(t, true),
});

const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
  description: 'Changes to a customer. Omitted fields stay as they are; null clears a field.',
  fields: (t) => ({ id: t.globalID({ required: true, description: 'The customer to change.' }), ...customerInputFields(t, false) }),
});

const MergeCustomersInput = builder.inputType('MergeCustomersInput', {
  description: 'Two records of the same person.',
  fields: (t) => ({
    primaryId: t.globalID({ required: true, description: 'The record that stays.' }),
    duplicateId: t.globalID({ required: true, description: 'The record merged into the primary; its id keeps resolving to the primary.' }),
  }),
});

const MergeCustomersPayload = builder
  .objectRef<Awaited<ReturnType<typeof service.mergeCustomers>>>('MergeCustomersPayload')
  .implement({
    description: 'The surviving customer and what moved to it.',
    fields: (t) => ({
      customer: t.field({ type: CustomerRef, description: 'The surviving (primary) customer.', resolve: (p) => p.customer }),
      mergedCustomerId: t.globalID({ description: 'ID of the merged-away record.', resolve: (p) => ({ type: 'Customer', id: p.mergedCustomerId }) }),
      movedConversations: t.int({ description: 'Conversations moved to the primary.', resolve: (p) => p.moved.conversations }),
      movedTickets: t.int({ description: 'Tickets moved to the primary.', resolve: (p) => p.moved.tickets }),
      movedEvents: t.int({ description: 'Customer events moved to the primary.', resolve: (p) => p.moved.events }),
      movedSurveyResponses: t.int({ description: 'Survey responses moved to the primary.', resolve: (p) => p.moved.surveyResponses }),
    }),
  });

const OrganizationPayload = builder.objectRef<{ organization: Organization }>('OrganizationPayload').implement({
  description: 'The organization after the change.',
  fields: (t) => ({ organization: t.field({ type: OrganizationRef, description: 'The organization.', resolve: (p) => p.organization }) }),
});

const orgInputFields = (t: any) => ({
  domains: t.stringList({ required: false, description: 'Email domains of its people (each domain belongs to one organization).' }),
  plan: t.string({ required: false, description: 'Commercial plan name.' }),
  tier: t.field({ type: OrganizationTierEnum, required: false, description: 'Commercial tier.' }),
  attributes: t.field({ type: 'JSON', required: false, description: 'Custom attributes (merged key by key on update).' }),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  description: 'A new organization.',
  fields: (t) => ({ name: t.string({ required: true, description: 'Display name.' }), ...orgInputFields(t) }),
});

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: 'Changes to an organization; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The organization to change.' }),
    name: t.string({ required: false, description: 'Display name.' }),
    ...orgInputFields(t),
  }),
});

const RecordCustomerEventInput = builder.inputType('RecordCustomerEventInput', {
  description: 'A behavioural event from the customer\'s journey.',
  fields: (t) => ({
    customerId: t.globalID({ required: true, description: 'Whose event it is.' }),
    type: t.string({ required: true, description: 'lower_snake_case type, e.g. "signup", "purchase", "login", "cancellation".' }),
    value: t.float({ required: false, description: 'Monetary value (negative for refunds).' }),
    currency: t.string({ required: false, description: 'ISO 4217 code; required with a value.' }),
    properties: t.field({ type: 'JSON', required: false, description: 'Anything else about the event.' }),
    occurredAt: t.field({ type: 'DateTime', required: false, description: 'When it happened (default: now).' }),
  }),
});

const CustomerEventPayload = builder.objectRef<{ event: CustomerEvent }>('RecordCustomerEventPayload').implement({
  description: 'The recorded event.',
  fields: (t) => ({ event: t.field({ type: CustomerEventRef, description: 'The event.', resolve: (p) => p.event }) }),
});

builder.mutationType({ description: 'The root of every write.' });

builder.mutationFields((t) => ({
  createCustomer: t.field({
    type: CustomerPayload,
    description: 'Creates a customer.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('createCustomer'),
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      customer: (await service.createCustomer(ctx.prisma, actorOf(ctx), {
        ...input,
        organizationId: optionalIdOfType(input.organizationId as GlobalIdArg | null | undefined, 'Organization', 'input.organizationId'),
      }))!,
    }),
  }),

  updateCustomer: t.field({
    type: CustomerPayload,
    description: 'Changes a customer.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('updateCustomer'),
    args: { input: t.arg({ type: UpdateCustomerInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      customer: (await service.updateCustomer(ctx.prisma, actorOf(ctx), {
        ...input,
        id: idOfType(input.id, 'Customer', 'input.id'),
        organizationId: optionalIdOfType(input.organizationId as GlobalIdArg | null | undefined, 'Organization', 'input.organizationId'),
      }))!,
    }),
  }),

  mergeCustomers: t.field({
    type: MergeCustomersPayload,
    description:
      'Merges a duplicate customer record into a primary one: conversations, tickets, events and survey responses move over; the duplicate stays as a tombstone. Records who merged.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('mergeCustomers'),
    args: { input: t.arg({ type: MergeCustomersInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      service.mergeCustomers(ctx.prisma, actorOf(ctx), {
        primaryId: idOfType(input.primaryId, 'Customer', 'input.primaryId'),
        duplicateId: idOfType(input.duplicateId, 'Customer', 'input.duplicateId'),
      }),
  }),

  createOrganization: t.field({
    type: OrganizationPayload,
    description: 'Creates an organization.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('createOrganization'),
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ organization: await service.createOrganization(ctx.prisma, actorOf(ctx), input) }),
  }),

  updateOrganization: t.field({
    type: OrganizationPayload,
    description: 'Changes an organization.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('updateOrganization'),
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      organization: await service.updateOrganization(ctx.prisma, actorOf(ctx), { ...input, id: idOfType(input.id, 'Organization', 'input.id') }),
    }),
  }),

  recordCustomerEvent: t.field({
    type: CustomerEventPayload,
    description: 'Records a behavioural event (signup, purchase, login, cancellation…) on the customer\'s timeline.',
    authScopes: { scope: 'customers:write' },
    errors: mutationErrors('recordCustomerEvent'),
    args: { input: t.arg({ type: RecordCustomerEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      event: await service.recordCustomerEvent(ctx.prisma, actorOf(ctx), { ...input, customerId: idOfType(input.customerId, 'Customer', 'input.customerId') }),
    }),
  }),
}));
