-- ticket.sla_breached for SLA targets achieved after their due time before any sweep saw them
-- running (answered within a sweep interval of the due time, or while no server ran): they are
-- BREACHED in slaStatus and the compliance metrics, and the breach sweeper
-- (src/events/sla-breaches.ts) now announces them too, once per target instance.
--
-- The sweeper reads running clocks through the (achievedAt, dueAt) index: achievedAt IS NULL is
-- an equality on its first column, the look-back window a range on its second. Achieved clocks
-- cannot be read that way: with achievedAt not null, that index ranges over achievedAt only, so
-- a sweep would read every clock achieved in the window (mostly met) and fetch each from the heap
-- to compare its two times. This index holds only the clocks achieved late, ordered by due time:
-- the sweep's branch for them (which repeats the predicate word for word, so the planner uses
-- it) is a range scan over the window that reads no met clock.
--
-- Hand-written: a partial index (WHERE) is left out of the schema engine's diff, so it is not in
-- prisma/schema.prisma and is not drift.
CREATE INDEX "TicketSlaClock_achieved_late_idx" ON "TicketSlaClock" ("dueAt")
  WHERE "achievedAt" > "dueAt";
