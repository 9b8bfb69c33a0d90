import { apiKeyPrefix, hashApiKey } from '../../src/auth/api-keys.ts';
import type { AgentRole, SlaTargetKind, TicketPriority } from '../../src/generated/prisma/client.ts';
import { ARTICLES, articleBody, CATEGORIES, CHANGE_NOTES } from './content/articles.ts';
import { DAY, HOUR, MINUTE } from './rng.ts';
import type { RowBag, SeedContext, Staff, StaffAgent, StaffTeam, TeamKey } from './types.ts';
import { asciiSlug } from './text.ts';

export interface SetupOptions {
  name: string;
  slug: string;
  agentCount: number;
  apiKey: string;
  apiKeyName: string;
  /** Final Workspace.ticketSequence (tickets are planned before anything is written). */
  ticketSequence: number;
  lastTicketAt: number;
}

const TEAM_DEFS: Record<TeamKey, { name: string; description: string; function: 'SERVICE' | 'SUPPORT' }> = {
  service: { name: 'Customer Service', description: 'Orders, billing and subscriptions.', function: 'SERVICE' },
  tier1: { name: 'Support Tier 1', description: 'First-line technical support.', function: 'SUPPORT' },
  tier2: { name: 'Support Tier 2', description: 'Escalations, incidents and problems.', function: 'SUPPORT' },
};

/** Queue agent `j` of `workers`: ~45% service, ~35% tier 1, ~20% tier 2; the last service agent also covers tier 1. */
function queueTeams(j: number, workers: number): TeamKey[] {
  const serviceEnd = Math.ceil(workers * 0.45);
  const tier1End = Math.ceil(workers * 0.8);
  if (j < serviceEnd) return j === serviceEnd - 1 ? ['service', 'tier1'] : ['service'];
  return j < tier1End ? ['tier1'] : ['tier2'];
}

/** Workspace, staff, API key, business hours, SLA and help center: everything before customers. */
export function buildSetup(ctx: SeedContext, options: SetupOptions, rows: RowBag): Staff {
  const { ids, faker, workspaceId } = ctx;
  const at = ctx.setupAt;
  rows.Workspace.push({
    id: workspaceId, name: options.name, slug: options.slug, timeZone: 'Europe/Berlin',
    ticketSequence: options.ticketSequence, createdAt: new Date(at), updatedAt: new Date(Math.max(at, options.lastTicketAt)),
  });

  // Roles: one admin, one read-only viewer (an analyst), everybody else works the queues.
  const agents: StaffAgent[] = [];
  const emails = new Set<string>();
  const workers = options.agentCount - 2;
  for (let i = 0; i < options.agentCount; i++) {
    const role: AgentRole = i === 0 ? 'ADMIN' : i === options.agentCount - 1 ? 'VIEWER' : 'AGENT';
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    let email = `${asciiSlug(firstName, '')}.${asciiSlug(lastName, '')}@lumenhome.example`;
    for (let n = 2; emails.has(email); n++) email = `${asciiSlug(firstName, '')}.${asciiSlug(lastName, '')}${n}@lumenhome.example`;
    emails.add(email);
    const createdAt = new Date(at + (i + 1) * 7 * MINUTE);
    const agent: StaffAgent = { id: ids.at(createdAt.getTime()), name: `${firstName} ${lastName}`, firstName, teams: [] };
    if (role === 'AGENT') agent.teams.push(...queueTeams(i - 1, workers));
    // The admin is the senior engineer: works (and leads) the escalation queue.
    if (role === 'ADMIN') agent.teams.push('tier2');
    agents.push(agent);
    rows.Agent.push({ id: agent.id, workspaceId, name: agent.name, email, role, active: true, createdAt, updatedAt: createdAt });
  }

  const teamAt = at + 2 * HOUR;
  const teams = {} as Record<TeamKey, StaffTeam>;
  for (const key of Object.keys(TEAM_DEFS) as TeamKey[]) {
    const def = TEAM_DEFS[key];
    const team: StaffTeam = { id: ids.at(teamAt), key, name: def.name, function: def.function, workers: agents.filter((a) => a.teams.includes(key)) };
    teams[key] = team;
    rows.Team.push({ id: team.id, workspaceId, name: def.name, description: def.description, function: def.function, createdAt: new Date(teamAt), updatedAt: new Date(teamAt) });
    team.workers.forEach((agent, i) => {
      const memberAt = teamAt + (i + 1) * MINUTE;
      rows.TeamMembership.push({ id: ids.at(memberAt), workspaceId, teamId: team.id, agentId: agent.id, isLead: i === 0, createdAt: new Date(memberAt) });
    });
  }

  const admin = agents[0]!;
  const keyAt = at + 3 * HOUR;
  const apiKeyId = ids.at(keyAt);
  rows.ApiKey.push({
    id: apiKeyId, workspaceId, name: options.apiKeyName, prefix: apiKeyPrefix(options.apiKey), hashedKey: hashApiKey(options.apiKey),
    scopes: ['*'], agentId: admin.id, lastUsedAt: null, expiresAt: null, revokedAt: null, createdAt: new Date(keyAt),
  });

  const slaPolicyId = buildCalendarAndSla(ctx, rows);
  buildHelpCenter(ctx, rows, agents.filter((a) => a.teams.includes('tier2') || a.teams.includes('service')).slice(0, 4));
  return { agents, admin, teams, apiKeyId, slaPolicyId };
}

/** Easter Sunday (anonymous Gregorian algorithm), as a UTC date. */
function easter(year: number): number {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

function germanHolidays(year: number): [number, string][] {
  const e = easter(year);
  return [
    [Date.UTC(year, 0, 1), "New Year's Day"], [e - 2 * DAY, 'Good Friday'], [e + DAY, 'Easter Monday'],
    [Date.UTC(year, 4, 1), 'Labour Day'], [e + 39 * DAY, 'Ascension Day'], [e + 50 * DAY, 'Whit Monday'],
    [Date.UTC(year, 9, 3), 'German Unity Day'], [Date.UTC(year, 11, 25), 'Christmas Day'], [Date.UTC(year, 11, 26), 'Boxing Day'],
  ];
}

const SLA_MINUTES: Record<TicketPriority, Record<SlaTargetKind, [number, boolean]>> = {
  URGENT: { FIRST_RESPONSE: [60, false], NEXT_RESPONSE: [120, false], RESOLUTION: [480, false] },
  HIGH: { FIRST_RESPONSE: [240, true], NEXT_RESPONSE: [480, true], RESOLUTION: [1_440, true] },
  NORMAL: { FIRST_RESPONSE: [480, true], NEXT_RESPONSE: [960, true], RESOLUTION: [2_880, true] },
  LOW: { FIRST_RESPONSE: [960, true], NEXT_RESPONSE: [1_440, true], RESOLUTION: [4_800, true] },
};

function buildCalendarAndSla(ctx: SeedContext, rows: RowBag): string {
  const { ids, workspaceId } = ctx;
  const at = ctx.setupAt + 4 * HOUR;
  const calendarId = ids.at(at);
  rows.BusinessCalendar.push({ id: calendarId, workspaceId, name: 'Berlin office hours', timeZone: 'Europe/Berlin', createdAt: new Date(at), updatedAt: new Date(at) });
  for (let day = 1; day <= 5; day++) {
    rows.BusinessHoursInterval.push({ id: ids.at(at), workspaceId, calendarId, dayOfWeek: day, startMinute: 9 * 60, endMinute: 17 * 60 });
  }
  // The public holidays from a month before the window to three months after now.
  const from = ctx.windowStart - 30 * DAY;
  const to = ctx.now + 90 * DAY;
  const years = new Set([new Date(from).getUTCFullYear(), new Date(to).getUTCFullYear()]);
  for (const year of [...years].sort()) {
    for (const [date, name] of germanHolidays(year)) {
      if (date >= from && date <= to) rows.BusinessHoliday.push({ id: ids.at(at), workspaceId, calendarId, date: new Date(date), name });
    }
  }

  const policyId = ids.at(at + MINUTE);
  rows.SlaPolicy.push({
    id: policyId, workspaceId, name: 'Standard support', description: 'Response and resolution targets for all customer tickets.',
    calendarId, active: true, createdAt: new Date(at + MINUTE), updatedAt: new Date(at + MINUTE),
  });
  for (const priority of Object.keys(SLA_MINUTES) as TicketPriority[]) {
    for (const kind of Object.keys(SLA_MINUTES[priority]) as SlaTargetKind[]) {
      const [minutes, businessHours] = SLA_MINUTES[priority][kind];
      rows.SlaTarget.push({ id: ids.at(at + MINUTE), workspaceId, policyId, priority, kind, minutes, businessHours });
    }
  }
  return policyId;
}

function buildHelpCenter(ctx: SeedContext, rows: RowBag, authors: StaffAgent[]): void {
  const { workspaceId, ids } = ctx;
  const rng = ctx.rng.fork('help-center');
  const at = ctx.setupAt + 5 * HOUR;
  const categoryIds = new Map<string, string>();
  CATEGORIES.forEach((c, position) => {
    const id = ids.at(at);
    categoryIds.set(c.slug, id);
    rows.ArticleCategory.push({ id, workspaceId, name: c.name, slug: c.slug, description: c.description, position, parentId: null, createdAt: new Date(at), updatedAt: new Date(at) });
  });

  for (const source of ARTICLES) {
    const status = source.status ?? 'PUBLISHED';
    const createdAt = rng.chance(0.7) ? at + rng.int(1, 5 * 24) * HOUR : Math.floor(rng.between(ctx.windowStart, ctx.now - 10 * DAY));
    const latest = status === 'DRAFT' ? rng.int(1, 2) : rng.weighted([[1, 4], [2, 3], [3, 2], [4, 1]] as const);
    const author = rng.pick(authors);
    const id = ids.at(createdAt);
    const versionTimes = [createdAt];
    for (let v = 2; v <= latest; v++) {
      const previous = versionTimes[v - 2]!;
      versionTimes.push(Math.floor(rng.between(previous + HOUR, previous + (ctx.now - DAY - previous) / 2)));
    }
    const lastEdit = versionTimes[versionTimes.length - 1]!;
    const publishedAt = status === 'DRAFT' ? null : createdAt + rng.int(1, 48) * HOUR;
    const archivedAt = status === 'ARCHIVED' ? Math.floor(rng.between(Math.min(Math.max(lastEdit, publishedAt ?? 0) + DAY, ctx.now - 2 * HOUR), ctx.now - HOUR)) : null;
    const views = status === 'DRAFT' ? 0 : Math.round(rng.duration(status === 'ARCHIVED' ? 300 : 900, 1.1));
    const helpful = status === 'DRAFT' ? 0 : Math.round(views * rng.between(0.02, 0.09));
    const unhelpful = status === 'DRAFT' ? 0 : Math.round(views * rng.between(0.002, 0.03));
    rows.Article.push({
      id, workspaceId, categoryId: categoryIds.get(source.category)!, authorId: author.id, slug: source.slug, title: source.title,
      body: articleBody(source, latest, latest), status, locale: source.locale ?? 'en', helpfulCount: helpful, unhelpfulCount: unhelpful,
      viewCount: views, version: latest, publishedAt: publishedAt === null ? null : new Date(publishedAt),
      archivedAt: archivedAt === null ? null : new Date(archivedAt), createdAt: new Date(createdAt),
      updatedAt: new Date(Math.max(lastEdit, archivedAt ?? 0, publishedAt ?? 0)),
    });
    versionTimes.forEach((versionAt, i) => {
      rows.ArticleVersion.push({
        id: ids.at(versionAt), workspaceId, articleId: id, version: i + 1, title: source.title, body: articleBody(source, i + 1, latest),
        authorId: i === 0 ? author.id : rng.pick(authors).id, changeNote: i === 0 ? 'First version' : rng.pick(CHANGE_NOTES), createdAt: new Date(versionAt),
      });
    });
  }
}
