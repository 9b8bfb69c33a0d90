import type { TicketPriority, TicketStatus } from '../../src/generated/prisma/client.ts';
import { AGENT_HOLD_NOTE, AGENT_LINK_REPLY, AGENT_PROBLEM_FIXED, AGENT_PROGRESS, CUSTOMER_REOPEN } from './content/phrases.ts';
import { DAY, HOUR, MINUTE, nextWorkingTime, SECOND, type Rng } from './rng.ts';
import type { Actor, TicketAct, TicketInput } from './tickets.ts';
import type { SeedContext, StaffAgent } from './types.ts';

/** A problem ticket as its incidents see it. */
export interface ProblemRef {
  id: string;
  createdAt: number;
  /** When the fix shipped (the problem was solved), if it did before now. */
  solvedAt: number | null;
}

/** Solved tickets close automatically after four days without a reply. */
export const AUTO_CLOSE_AFTER = 4 * DAY;

const FIRST_RESPONSE: Record<TicketPriority, number> = { URGENT: 20 * MINUTE, HIGH: HOUR, NORMAL: 3 * HOUR, LOW: 8 * HOUR };
const NEXT_RESPONSE: Record<TicketPriority, number> = { URGENT: HOUR, HIGH: 3 * HOUR, NORMAL: 6 * HOUR, LOW: 12 * HOUR };
const BUMP: Record<TicketPriority, TicketPriority> = { LOW: 'NORMAL', NORMAL: 'HIGH', HIGH: 'URGENT', URGENT: 'URGENT' };

class Script {
  readonly acts: TicketAct[] = [];
  t: number;

  constructor(private readonly rng: Rng, start: number, readonly agent: StaffAgent) {
    this.t = start;
  }

  get me(): Actor {
    return { kind: 'AGENT', agent: this.agent };
  }

  human(at: number): number {
    return nextWorkingTime(at, this.rng);
  }

  reply(body: string, status?: TicketStatus): void {
    this.acts.push({ kind: 'reply', at: this.t, agent: this.agent, body, ...(status ? { status } : {}) });
  }

  note(body: string): void {
    this.acts.push({ kind: 'note', at: this.t, agent: this.agent, body });
  }

  customer(body: string): void {
    this.acts.push({ kind: 'customer', at: this.t, body });
  }

  status(to: TicketStatus, actor: Actor = this.me): void {
    this.acts.push({ kind: 'status', at: this.t, to, actor });
  }

  /** Strictly increasing times, cut at now: the part of the story that has happened. */
  done(now: number): TicketAct[] {
    for (let i = 1; i < this.acts.length; i++) this.acts[i]!.at = Math.max(this.acts[i]!.at, this.acts[i - 1]!.at + 1);
    return this.acts.filter((a) => a.at <= now);
  }
}

/** Incidents wait for their problem, then are solved when its fix ships. */
function incidentStory(s: Script, rng: Rng, problem: ProblemRef, withoutReply: boolean): void {
  s.t = Math.max(s.t, s.human(problem.createdAt + rng.int(5, 60) * MINUTE));
  s.acts.push({ kind: 'link', at: s.t, problemId: problem.id, actor: s.me });
  s.t += SECOND;
  if (problem.solvedAt !== null && problem.solvedAt < s.t + DAY) {
    s.t = Math.max(s.t, problem.solvedAt) + rng.int(10, 90) * MINUTE;
    s.reply(AGENT_PROBLEM_FIXED, 'SOLVED');
    return;
  }
  if (!withoutReply) s.reply(AGENT_LINK_REPLY, 'ON_HOLD');
  if (problem.solvedAt !== null) {
    s.t = Math.max(s.t, problem.solvedAt) + rng.int(10, 90) * MINUTE;
    s.reply(AGENT_PROBLEM_FIXED, 'SOLVED');
  }
}

/** The demo's ticket lives: triage, back-and-forth, holds, priority changes, reopenings, closing. */
export function fullScript(ctx: SeedContext, rng: Rng, input: TicketInput, agent: StaffAgent, problem: ProblemRef | null): TicketAct[] {
  const { topic, priority } = input;
  const s = new Script(rng, input.plan.createdAt, agent);
  if (!input.initialAssignee && rng.chance(0.6)) {
    s.t += rng.int(1, 20) * MINUTE;
    s.acts.push({ kind: 'assign', at: s.t, agent, actor: { kind: 'SYSTEM' } });
  }
  if (input.plan.type === 'PROBLEM') {
    s.t += rng.int(2, 10) * MINUTE;
    s.status('OPEN');
    s.t += rng.int(10, 90) * MINUTE;
    s.note(rng.pick(topic.note));
    if (rng.chance(0.4)) s.acts.push({ kind: 'priority', at: (s.t += rng.int(1, 24) * HOUR), to: 'URGENT', actor: s.me });
    s.t = s.human(s.t + rng.int(1, 3) * HOUR);
    s.status('ON_HOLD');
    s.note(AGENT_HOLD_NOTE);
    if (rng.chance(0.85)) {
      s.t = s.human(s.t + rng.duration(5 * DAY, 0.6));
      s.note('Fix deployed to all customers; monitoring for 24 hours.');
      s.status('SOLVED');
      s.t += AUTO_CLOSE_AFTER;
      s.status('CLOSED', { kind: 'SYSTEM' });
    }
    return s.done(ctx.now);
  }
  s.t = s.human(input.plan.createdAt + rng.duration(FIRST_RESPONSE[priority], 0.9));
  if (problem) {
    incidentStory(s, rng, problem, false);
    if (problem.solvedAt !== null && rng.chance(0.75)) {
      s.t += AUTO_CLOSE_AFTER;
      s.status('CLOSED', { kind: 'SYSTEM' });
    }
    return s.done(ctx.now);
  }
  if (rng.chance(0.08) && priority !== 'URGENT') s.acts.push({ kind: 'priority', at: s.t, to: BUMP[priority], actor: s.me });
  const rounds = rng.weighted([[0, 35], [1, 35], [2, 20], [3, 10]] as const);
  for (let r = 0; r < rounds; r++) {
    if (rng.chance(0.2)) {
      s.note(rng.pick(topic.note));
      s.t += rng.int(1, 10) * MINUTE;
    }
    s.reply(r === 0 ? rng.pick(topic.ask) : rng.pick(AGENT_PROGRESS), 'PENDING');
    if (rng.chance(0.12)) {
      // The customer never answers: solved automatically after a week, then closed.
      s.t += 7 * DAY;
      s.status('SOLVED', { kind: 'SYSTEM' });
      s.t += AUTO_CLOSE_AFTER;
      s.status('CLOSED', { kind: 'SYSTEM' });
      return s.done(ctx.now);
    }
    s.t += rng.duration(8 * HOUR, 1);
    s.customer(rng.pick(topic.details));
    s.t = s.human(s.t + rng.duration(NEXT_RESPONSE[priority], 0.8));
  }
  if (rng.chance(0.08)) {
    s.reply(rng.pick(AGENT_PROGRESS), 'ON_HOLD');
    s.t += rng.int(1, 5) * MINUTE;
    s.note(AGENT_HOLD_NOTE);
    s.t = s.human(s.t + rng.duration(2 * DAY, 0.5));
  }
  if (!rng.chance(0.87)) {
    s.reply(rng.pick(topic.answer), 'OPEN');
    return s.done(ctx.now);
  }
  s.reply(rng.pick(topic.fix), 'SOLVED');
  if (rng.chance(0.08)) {
    s.t += rng.duration(2 * DAY, 0.6);
    s.customer(rng.pick(CUSTOMER_REOPEN));
    s.t = s.human(s.t + rng.duration(NEXT_RESPONSE[priority], 0.8));
    s.reply(rng.pick(topic.answer), 'OPEN');
    s.t = s.human(s.t + rng.int(2, 6) * HOUR);
    s.reply(rng.pick(topic.fix), 'SOLVED');
  }
  s.t += AUTO_CLOSE_AFTER;
  s.status('CLOSED', { kind: 'SYSTEM' });
  return s.done(ctx.now);
}

type CompactPath = 'NEW' | 'OPEN' | 'PENDING' | 'ON_HOLD' | 'SOLVED' | 'CLOSED';

/**
 * Benchmark tickets: 1–3 comments and 1–3 events each (CREATED plus at most two status
 * changes, or the escalation / problem link), still consistent with the ticket's columns.
 */
export function compactScript(ctx: SeedContext, rng: Rng, input: TicketInput, agent: StaffAgent, problem: ProblemRef | null): TicketAct[] {
  const { topic, priority } = input;
  const s = new Script(rng, input.plan.createdAt, agent);
  const comments = rng.int(1, 3);
  const notes = (n: number) => {
    for (let i = 0; i < n; i++) {
      s.t += rng.int(1, 30) * MINUTE;
      s.note(rng.pick(topic.note));
    }
  };
  s.t = s.human(input.plan.createdAt + rng.duration(FIRST_RESPONSE[priority], 0.9));
  if (problem) {
    notes(comments - 1);
    incidentStory(s, rng, problem, problem.solvedAt !== null);
    return s.done(ctx.now);
  }
  if (input.plan.type === 'PROBLEM') {
    notes(comments);
    s.t = s.human(s.t + rng.duration(5 * DAY, 0.6));
    s.status(rng.chance(0.7) ? 'SOLVED' : 'ON_HOLD');
    return s.done(ctx.now);
  }
  const budget = input.sourceConversationId ? 1 : 2;
  const path: CompactPath =
    budget >= 2
      ? rng.weighted([['NEW', 6], ['OPEN', 14], ['PENDING', 14], ['ON_HOLD', 5], ['SOLVED', 44], ['CLOSED', 17]] as const)
      : rng.weighted([['NEW', 8], ['OPEN', 25], ['PENDING', 25], ['ON_HOLD', 10], ['SOLVED', 32]] as const);
  switch (path) {
    case 'NEW':
      for (let i = 0; i < comments; i++) {
        s.t = input.plan.createdAt + (i + 1) * rng.int(5, 120) * MINUTE;
        if (rng.chance(0.6)) s.customer(rng.pick(topic.details));
        else s.note(rng.pick(topic.note));
      }
      break;
    case 'OPEN':
      s.reply(rng.pick(topic.answer), 'OPEN');
      for (let i = 1; i < comments; i++) {
        s.t += rng.duration(6 * HOUR, 1);
        if (rng.chance(0.5)) s.customer(rng.pick(topic.details));
        else s.note(rng.pick(topic.note));
      }
      break;
    case 'PENDING':
    case 'ON_HOLD':
      s.reply(path === 'PENDING' ? rng.pick(topic.ask) : rng.pick(AGENT_PROGRESS), path);
      notes(comments - 1);
      break;
    case 'SOLVED':
      if (budget >= 2 && comments >= 2 && rng.chance(0.5)) {
        s.reply(rng.pick(topic.answer), 'OPEN');
        if (comments === 3) {
          s.t += rng.duration(6 * HOUR, 1);
          s.customer(rng.pick(topic.details));
        }
        s.t = s.human(s.t + rng.duration(NEXT_RESPONSE[priority], 0.8));
      } else {
        notes(comments - 1);
      }
      s.reply(rng.pick(topic.fix), 'SOLVED');
      break;
    case 'CLOSED':
      notes(comments - 1);
      s.reply(rng.pick(topic.fix), 'SOLVED');
      s.t += AUTO_CLOSE_AFTER;
      s.status('CLOSED', { kind: 'SYSTEM' });
      break;
  }
  return s.done(ctx.now);
}
