// Registers the change feed (the `events` query over the transactional outbox) with the builder.
import './types.ts';
import './queries.ts';
