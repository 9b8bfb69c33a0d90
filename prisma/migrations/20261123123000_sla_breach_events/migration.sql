-- ticket.sla_breached: one event per SLA target instance whose due time passes while it runs.
--
-- A clock row's id is not stable (cx_refresh_ticket_sla deletes and re-inserts clocks whenever
-- their inputs change), so a target instance is (ticketId, kind, startedAt). The breach sweeper
-- (src/events/sla-breaches.ts) claims an instance by inserting its notice with ON CONFLICT DO
-- NOTHING in the transaction that records the event: one event per instance, however many
-- servers sweep and across restarts. It finds candidates through the (achievedAt, dueAt) index:
-- running clocks (achievedAt IS NULL) whose due time is in the look-back window.

-- CreateTable
CREATE TABLE "SlaBreachNotice" (
    "ticketId" UUID NOT NULL,
    "kind" "SlaTargetKind" NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "workspaceId" UUID NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlaBreachNotice_pkey" PRIMARY KEY ("ticketId","kind","startedAt")
);

-- CreateIndex
CREATE INDEX "TicketSlaClock_achievedAt_dueAt_idx" ON "TicketSlaClock"("achievedAt", "dueAt");

-- AddForeignKey
ALTER TABLE "SlaBreachNotice" ADD CONSTRAINT "SlaBreachNotice_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;
