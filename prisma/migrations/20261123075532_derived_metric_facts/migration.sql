-- CreateTable
CREATE TABLE "TicketOpenInterval" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "ticketId" UUID NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "TicketOpenInterval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReplyWait" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "ticketId" UUID,
    "conversationId" UUID,
    "waitingSince" TIMESTAMPTZ(3) NOT NULL,
    "repliedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReplyWait_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TicketSlaClock" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "ticketId" UUID NOT NULL,
    "kind" "SlaTargetKind" NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "dueAt" TIMESTAMPTZ(3),
    "achievedAt" TIMESTAMPTZ(3),
    "targetMinutes" INTEGER NOT NULL,
    "businessHours" BOOLEAN NOT NULL,
    "calendarId" UUID,

    CONSTRAINT "TicketSlaClock_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TicketOpenInterval_workspaceId_openedAt_idx" ON "TicketOpenInterval"("workspaceId", "openedAt");

-- CreateIndex
CREATE INDEX "TicketOpenInterval_ticketId_idx" ON "TicketOpenInterval"("ticketId");

-- CreateIndex
CREATE INDEX "ReplyWait_workspaceId_waitingSince_idx" ON "ReplyWait"("workspaceId", "waitingSince");

-- CreateIndex
CREATE INDEX "ReplyWait_ticketId_idx" ON "ReplyWait"("ticketId");

-- CreateIndex
CREATE INDEX "ReplyWait_conversationId_idx" ON "ReplyWait"("conversationId");

-- CreateIndex
CREATE INDEX "TicketSlaClock_workspaceId_kind_startedAt_idx" ON "TicketSlaClock"("workspaceId", "kind", "startedAt");

-- CreateIndex
CREATE INDEX "TicketSlaClock_ticketId_idx" ON "TicketSlaClock"("ticketId");

-- CreateIndex
CREATE INDEX "TicketSlaClock_calendarId_idx" ON "TicketSlaClock"("calendarId");

-- AddForeignKey
ALTER TABLE "TicketOpenInterval" ADD CONSTRAINT "TicketOpenInterval_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplyWait" ADD CONSTRAINT "ReplyWait_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplyWait" ADD CONSTRAINT "ReplyWait_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TicketSlaClock" ADD CONSTRAINT "TicketSlaClock_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;
