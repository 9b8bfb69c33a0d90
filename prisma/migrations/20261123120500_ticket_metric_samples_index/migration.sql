-- A covering index for the ticket metrics: every ticket metric reads the same narrow set of
-- columns of a workspace's not-merged tickets (the instants it is attributed to and measured
-- by, the counters, the dimensions), and at 1,000,000 tickets reading them from the 445-byte
-- heap rows was most of a metric's time. From this index (about 180 bytes an entry) the
-- planner answers with a (parallel) index-only scan. Tags are left out (wide, and only a tag
-- filter reads them: that query reads the heap).
--
-- Written by hand: Prisma's schema language has no INCLUDE; the schema engine leaves partial
-- indexes (WHERE) out of its diff, so this one is not in prisma/schema.prisma and is not drift.
CREATE INDEX "Ticket_metric_samples_idx" ON "Ticket" ("workspaceId", "createdAt")
  INCLUDE ("firstResponseAt", "firstSolvedAt", "solvedAt", id, "teamId", "assigneeId", "organizationId", "requesterId",
           "sourceConversationId", priority, function, "reopenCount", "publicAgentReplyCount")
  WHERE "mergedIntoId" IS NULL;
