import { base, de, de_CH, en, en_GB, en_US, es, Faker, fr, nl } from '@faker-js/faker';
import { Prisma, type OrganizationTier } from '../../src/generated/prisma/client.ts';
import { arrivalTime, DAY, HOUR, MINUTE, type Rng } from './rng.ts';
import { asciiSlug } from './text.ts';
import { touch, type CustomerProfile, type RowBag, type SeedContext, type StaffAgent } from './types.ts';

interface Market {
  locale: string;
  timeZone: string;
  country: string;
  currency: string;
  phone: string;
  tld: string;
  weight: number;
}

const MARKETS: readonly Market[] = [
  { locale: 'en-US', timeZone: 'America/New_York', country: 'US', currency: 'USD', phone: '+1', tld: 'com', weight: 20 },
  { locale: 'en-US', timeZone: 'America/Los_Angeles', country: 'US', currency: 'USD', phone: '+1', tld: 'io', weight: 8 },
  { locale: 'en-GB', timeZone: 'Europe/London', country: 'GB', currency: 'GBP', phone: '+44', tld: 'co.uk', weight: 14 },
  { locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', currency: 'EUR', phone: '+49', tld: 'de', weight: 24 },
  { locale: 'de-CH', timeZone: 'Europe/Zurich', country: 'CH', currency: 'CHF', phone: '+41', tld: 'ch', weight: 5 },
  { locale: 'fr', timeZone: 'Europe/Paris', country: 'FR', currency: 'EUR', phone: '+33', tld: 'fr', weight: 9 },
  { locale: 'nl', timeZone: 'Europe/Amsterdam', country: 'NL', currency: 'EUR', phone: '+31', tld: 'nl', weight: 8 },
  { locale: 'es', timeZone: 'Europe/Madrid', country: 'ES', currency: 'EUR', phone: '+34', tld: 'es', weight: 6 },
  { locale: 'en', timeZone: 'Europe/Dublin', country: 'IE', currency: 'EUR', phone: '+353', tld: 'ie', weight: 6 },
];

const MAIL_PROVIDERS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'web.de', 'gmx.net', 'hotmail.co.uk', 'orange.fr'];
const INDUSTRIES = ['Hospitality', 'Property management', 'Retail', 'Co-working', 'Architecture', 'Healthcare', 'Education', 'Restaurants'];
const TIERS: readonly (readonly [OrganizationTier, number])[] = [['STANDARD', 60], ['PREMIUM', 30], ['ENTERPRISE', 10]];
const PLANS: Record<OrganizationTier, string[]> = { STANDARD: ['Starter', 'Growth'], PREMIUM: ['Business'], ENTERPRISE: ['Enterprise'] };

export interface OrgProfile {
  id: string;
  domain: string;
  market: Market;
  tier: OrganizationTier;
  createdAt: number;
  weight: number;
}

/** Person-name generators per language, all seeded from the workspace seed. */
export class NameBook {
  private readonly byLanguage = new Map<string, Faker>();

  constructor(seed: number) {
    const locales = { en: [en_US, en], 'en-GB': [en_GB, en], de: [de, en], 'de-CH': [de_CH, de, en], fr: [fr, en], nl: [nl, en], es: [es, en] };
    let i = 0;
    for (const [key, chain] of Object.entries(locales)) {
      const faker = new Faker({ locale: [...chain, base] });
      faker.seed(seed + i++);
      this.byLanguage.set(key, faker);
    }
  }

  for(locale: string): Faker {
    return this.byLanguage.get(locale) ?? this.byLanguage.get(locale.split('-')[0]!) ?? this.byLanguage.get('en')!;
  }
}

export function buildOrganizations(ctx: SeedContext, count: number, rows: RowBag): OrgProfile[] {
  const rng = ctx.rng.fork('organizations');
  const domains = new Set<string>();
  const orgs: OrgProfile[] = [];
  for (let i = 0; i < count; i++) {
    const market = rng.weighted(MARKETS.map((m) => [m, m.weight] as const));
    const name = ctx.faker.company.name();
    let domain = `${asciiSlug(name.split(/,| and | - /)[0]!)}.${market.tld}`;
    for (let n = 2; domains.has(domain); n++) domain = `${asciiSlug(name.split(/,| and | - /)[0]!)}${n}.${market.tld}`;
    domains.add(domain);
    const tier = rng.weighted(TIERS);
    const createdAt = ctx.setupAt + rng.int(6, 48) * HOUR + rng.int(0, 59) * MINUTE;
    const org: OrgProfile = { id: ctx.ids.at(createdAt), domain, market, tier, createdAt, weight: tier === 'ENTERPRISE' ? 6 : tier === 'PREMIUM' ? 3 : 1 };
    orgs.push(org);
    rows.Organization.push({
      id: org.id, workspaceId: ctx.workspaceId, name, domains: rng.chance(0.15) ? [domain, `${domain.split('.')[0]}-group.com`] : [domain],
      plan: rng.pick(PLANS[tier]), tier,
      attributes: { industry: rng.pick(INDUSTRIES), seats: rng.int(3, tier === 'ENTERPRISE' ? 400 : 60), country: market.country },
      createdAt: new Date(createdAt), updatedAt: new Date(createdAt),
    });
  }
  return orgs;
}

function phoneNumber(rng: Rng, market: Market): string {
  const digits = market.phone === '+1' ? 10 : 9;
  let out = String(rng.int(2, 9));
  while (out.length < digits) out += String(rng.int(0, 9));
  return `${market.phone}${out}`;
}

export interface CustomerSpec {
  index: number;
  firstSeenAt: number;
  /** Merged duplicates: a tombstone pointing at the survivor, merged by an agent. */
  mergedInto?: { survivor: CustomerProfile; at: number; by: StaffAgent };
}

type CustomerRow = RowBag['Customer'][number];

const SIGNUP_SOURCES = ['web', 'ios', 'android', 'retail'] as const;

/** The attributes the seed gives customers (the column itself is free-form JSON). */
interface CustomerAttributes {
  plan: string;
  devices: number;
  marketingOptIn: boolean;
  signupSource: string;
  cancelledPlan?: string;
}

/** A customer being generated: the profile other generators use, and the row to write. */
export interface CustomerRecord {
  profile: CustomerProfile;
  row: CustomerRow;
}

/** Builds one customer; lastSeenAt is settled by `finishCustomers` once all activity is known. */
export function buildCustomer(ctx: SeedContext, rng: Rng, names: NameBook, orgs: readonly OrgProfile[], spec: CustomerSpec, emails: Set<string>): CustomerRecord {
  // Duplicates that got merged were personal contacts created before the customer used work email.
  const org = spec.mergedInto || orgs.length === 0 || rng.chance(0.25) ? null : rng.weighted(orgs.map((o) => [o, o.weight] as const));
  const market = org && rng.chance(0.85) ? org.market : rng.weighted(MARKETS.map((m) => [m, m.weight] as const));
  const faker = names.for(market.locale);
  const firstName = spec.mergedInto?.survivor.firstName ?? faker.person.firstName();
  const lastName = spec.mergedInto?.survivor.name?.split(' ').slice(1).join(' ') || faker.person.lastName();
  const anonymous = !org && !spec.mergedInto && rng.chance(0.03);
  const hasEmail = Boolean(org) || !rng.chance(0.05);
  let email: string | null = null;
  if (hasEmail) {
    const local = org ? `${asciiSlug(firstName, '')}.${asciiSlug(lastName, '')}` : `${asciiSlug(firstName, '')}${rng.pick(['.', '_', ''])}${asciiSlug(lastName, '')}${rng.chance(0.3) ? rng.int(1, 99) : ''}`;
    const domain = org ? org.domain : rng.pick(MAIL_PROVIDERS);
    email = `${local}@${domain}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${domain}`;
    emails.add(email);
  }
  const vip = org?.tier === 'ENTERPRISE' ? rng.chance(0.4) : rng.chance(0.03);
  const tags = [vip && 'vip', rng.chance(0.08) && 'beta-tester', rng.chance(0.35) && 'newsletter', rng.chance(0.06) && 'early-adopter', org && 'b2b'].filter(
    (t): t is string => typeof t === 'string',
  );
  const profile: CustomerProfile = {
    index: spec.index, id: ctx.ids.at(spec.firstSeenAt), firstName, name: anonymous ? null : `${firstName} ${lastName}`,
    organizationId: org?.id ?? null, currency: market.currency, vip, hasEmail, firstSeenAt: spec.firstSeenAt, lastSeenAt: spec.firstSeenAt,
  };
  const row: CustomerRow = {
    id: profile.id, workspaceId: ctx.workspaceId, organizationId: profile.organizationId, name: profile.name, email,
    phone: !hasEmail || rng.chance(0.55) ? phoneNumber(rng, market) : null,
    externalId: anonymous || spec.mergedInto || rng.chance(0.15) ? null : `crm-${String(spec.index + 1).padStart(7, '0')}`,
    locale: market.locale, timeZone: rng.chance(0.95) ? market.timeZone : null,
    attributes: {
      plan: rng.weighted([['Free', 45], ['Lumen Plus', 40], ['Lumen Plus Yearly', 15]] as const),
      devices: rng.int(1, org ? 120 : 25), marketingOptIn: rng.chance(0.4), signupSource: rng.pick(SIGNUP_SOURCES),
    } satisfies CustomerAttributes,
    tags, firstSeenAt: new Date(spec.firstSeenAt), lastSeenAt: new Date(spec.firstSeenAt),
    mergedIntoId: spec.mergedInto?.survivor.id ?? null, mergedAt: spec.mergedInto ? new Date(spec.mergedInto.at) : null,
    mergedById: spec.mergedInto?.by.id ?? null, createdAt: new Date(spec.firstSeenAt), updatedAt: new Date(spec.firstSeenAt),
  };
  return { profile, row };
}

/** Writes the customer rows with lastSeenAt = their latest activity. */
export function finishCustomers(records: readonly CustomerRecord[], rows: RowBag): void {
  for (const { profile, row } of records) {
    row.lastSeenAt = new Date(profile.lastSeenAt);
    row.updatedAt = new Date(Math.max(profile.lastSeenAt, row.mergedAt?.getTime() ?? 0));
    rows.Customer.push(row);
  }
}

/**
 * The customer's journey: signup, logins, purchases, refunds, and for some subscribers a
 * cancellation, after which the customer is on the free plan.
 */
export function buildCustomerEvents(ctx: SeedContext, rng: Rng, record: CustomerRecord, rows: RowBag, scale = 1): void {
  const customer = record.profile;
  const attributes = record.row.attributes as unknown as CustomerAttributes;
  const push = (type: string, at: number, properties: Record<string, string | number>, value?: number) => {
    rows.CustomerEvent.push({
      id: ctx.ids.at(at), workspaceId: ctx.workspaceId, customerId: customer.id, type,
      value: value === undefined ? null : new Prisma.Decimal(value.toFixed(2)), currency: value === undefined ? null : customer.currency,
      properties, occurredAt: new Date(at), createdAt: new Date(at),
    });
    touch(customer, at);
  };
  const start = customer.firstSeenAt;
  const cancelledAt = attributes.plan !== 'Free' && rng.chance(0.1) ? Math.floor(rng.between(Math.min(start + 10 * DAY, ctx.now - HOUR), ctx.now - HOUR)) : null;
  const end = cancelledAt ?? ctx.now - MINUTE;
  push('signup', start, { source: attributes.signupSource });
  const logins = Math.round(rng.int(1, 10) * scale);
  for (let i = 0; i < logins; i++) push('login', arrivalTime(rng, start + MINUTE, end), { platform: rng.pick(['ios', 'android', 'web']) });
  const purchases = Math.round(rng.weighted([[0, 30], [1, 35], [2, 20], [3, 10], [4, 5]] as const) * scale);
  for (let i = 0; i < purchases; i++) {
    const at = arrivalTime(rng, start + MINUTE, end);
    const orderId = `LH-${rng.int(10000, 99999)}`;
    const value = Math.round(rng.between(19, 349) * 100) / 100;
    push('purchase', at, { orderId, items: rng.int(1, 6) }, value);
    const refundAt = at + rng.int(2, 20) * DAY;
    if (rng.chance(0.12) && refundAt < ctx.now) {
      const partial = rng.chance(0.3) ? Math.round(value * rng.between(0.2, 0.8) * 100) / 100 : value;
      push('refund', refundAt, { orderId, reason: rng.pick(['returned', 'damaged', 'duplicate charge']) }, -partial);
    }
  }
  if (cancelledAt !== null) {
    push('cancellation', cancelledAt, { reason: rng.pick(['too expensive', 'moving', 'switched provider', 'not using it']), plan: attributes.plan });
    attributes.cancelledPlan = attributes.plan;
    attributes.plan = 'Free';
  }
}
