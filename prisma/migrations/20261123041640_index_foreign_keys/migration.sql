-- CreateIndex
CREATE INDEX "Message_authorCustomerId_idx" ON "Message"("authorCustomerId");

-- CreateIndex
CREATE INDEX "Message_authorAgentId_idx" ON "Message"("authorAgentId");

-- CreateIndex
CREATE INDEX "Ticket_createdByAgentId_idx" ON "Ticket"("createdByAgentId");

-- CreateIndex
CREATE INDEX "TicketComment_authorCustomerId_idx" ON "TicketComment"("authorCustomerId");

-- CreateIndex
CREATE INDEX "TicketComment_authorAgentId_idx" ON "TicketComment"("authorAgentId");

-- CreateIndex
CREATE INDEX "TicketEvent_actorAgentId_idx" ON "TicketEvent"("actorAgentId");
