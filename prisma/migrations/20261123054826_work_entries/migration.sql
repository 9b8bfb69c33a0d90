-- CreateEnum
CREATE TYPE "WorkEntrySource" AS ENUM ('MANUAL', 'TIMER', 'COMPOSITION');

-- CreateTable
CREATE TABLE "WorkEntry" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "ticketId" UUID,
    "conversationId" UUID,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "seconds" INTEGER NOT NULL,
    "source" "WorkEntrySource" NOT NULL DEFAULT 'MANUAL',
    "note" TEXT,
    "createdByApiKeyId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkEntry_ticketId_startedAt_id_idx" ON "WorkEntry"("ticketId", "startedAt", "id");

-- CreateIndex
CREATE INDEX "WorkEntry_conversationId_startedAt_id_idx" ON "WorkEntry"("conversationId", "startedAt", "id");

-- CreateIndex
CREATE INDEX "WorkEntry_workspaceId_agentId_startedAt_idx" ON "WorkEntry"("workspaceId", "agentId", "startedAt");

-- CreateIndex
CREATE INDEX "WorkEntry_createdByApiKeyId_idx" ON "WorkEntry"("createdByApiKeyId");

-- AddForeignKey
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_createdByApiKeyId_fkey" FOREIGN KEY ("createdByApiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written (Prisma does not model check constraints and leaves them alone when diffing):
-- an entry is work on exactly one ticket or one conversation, for a positive, bounded time.
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_one_target_check"
  CHECK (("ticketId" IS NULL) <> ("conversationId" IS NULL));
ALTER TABLE "WorkEntry" ADD CONSTRAINT "WorkEntry_seconds_check"
  CHECK ("seconds" BETWEEN 1 AND 43200);
