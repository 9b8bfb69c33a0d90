import { z } from 'zod';
import { TicketPriority } from '../../generated/prisma/enums.ts';
import { SLA_KINDS, type SlaKind } from '../../metrics/sla.ts';
import { isTimeZone } from '../customers/service.ts';

/** Input rules of business calendars and SLA policies (zod; `parseInput` turns the first issue into a ValidationError). */

export const uuid = z.string().uuid();
export const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

// Offsets such as "+01:00" are refused: PostgreSQL reads POSIX offsets with the opposite sign.
export const timeZone = z
  .string()
  .refine((v) => /^[A-Za-z]/.test(v) && isTimeZone(v), 'must be an IANA time zone, e.g. "Europe/Berlin"');

const interval = z
  .object({
    dayOfWeek: z.number().int().min(1, 'must be 1 (Monday) to 7 (Sunday)').max(7, 'must be 1 (Monday) to 7 (Sunday)'),
    startMinute: z.number().int().min(0, 'must be 0 to 1439 (minutes after local midnight)').max(1439, 'must be 0 to 1439 (minutes after local midnight)'),
    endMinute: z.number().int().min(1, 'must be 1 to 1440 (minutes after local midnight)').max(1440, 'must be 1 to 1440 (minutes after local midnight)'),
  })
  .refine((h) => h.startMinute < h.endMinute, { message: 'must be after startMinute', path: ['endMinute'] });

/** Weekly open intervals: at least one, none overlapping another on the same day (touching is fine). */
export const hours = z
  .array(interval)
  .min(1, 'a calendar needs at least one open interval')
  .max(70, 'at most 70 intervals')
  .superRefine((list, ctx) => {
    list.forEach((h, i) => {
      const clash = list.findIndex((o, j) => j !== i && o.dayOfWeek === h.dayOfWeek && o.startMinute < h.endMinute && h.startMinute < o.endMinute);
      if (clash >= 0 && clash < i) ctx.addIssue({ code: 'custom', path: [i, 'startMinute'], message: `overlaps interval ${clash} on the same day` });
    });
  });

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** Whole local days off, each date once. */
export const holidays = z
  .array(
    z.object({
      date: z.string().refine(isCalendarDate, 'must be a calendar date "YYYY-MM-DD"'),
      name,
    }),
  )
  .max(1000, 'at most 1000 holidays')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((h, i) => {
      if (seen.has(h.date)) ctx.addIssue({ code: 'custom', path: [i, 'date'], message: `${h.date} is listed twice` });
      seen.add(h.date);
    });
  });

const target = z.object({
  priority: z.enum(Object.values(TicketPriority) as [TicketPriority, ...TicketPriority[]]),
  kind: z.enum(SLA_KINDS as [SlaKind, ...SlaKind[]]),
  minutes: z.number().int().min(1, 'must be at least 1').max(525_600, 'must be at most 525600 (one year)'),
  businessHours: z.boolean(),
});

/** SLA targets: at most one per priority and kind. */
export const targets = z
  .array(target)
  .max(12, 'at most 12 targets (4 priorities × 3 kinds)')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((t, i) => {
      const key = `${t.priority} ${t.kind}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: `a ${key} target is listed twice` });
      seen.add(key);
    });
  });

export const description = z.string().trim().max(2000, 'must be at most 2000 characters');
