/**
 * The raw-SQL floor of bench:api: for each shape, ONE PostgreSQL statement that builds the whole
 * GraphQL `data` object as JSON text, the way the fastest GraphQL-to-SQL servers do it. The
 * bodies must equal cxgraph's (bench/api.ts and test/bench-api-floor.test.ts check it), so the
 * SQL spells out cxgraph's conventions: global IDs are base64url("<Type>:<uuid>") without
 * padding (src/schema/global-id.ts), connection cursors base64("GPC:S:<uuid>") (Pothos),
 * DateTimes `Date.toISOString()` (UTC, milliseconds, "Z").
 *
 * Parameters are positional; each shape lists how its request's variables map to them.
 */

/** base64url without padding of `<type>:<value>`; `encode` wraps lines at 76 characters, hence the newline removal. */
const gidOf = (typeExpr: string, value: string) =>
  `rtrim(translate(encode(convert_to(${typeExpr} || ':' || ${value}::text, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
const gid = (type: string, value: string) => gidOf(`'${type}'`, value);
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const cursor = (id: string) => `encode(convert_to('GPC:S:' || ${id}::text, 'UTF8'), 'base64')`;
const list = (aggregate: string) => `coalesce(${aggregate}, '[]'::json)`;

/** `customers(first: $first) { edges { node { id name email tickets(first: $tickets) { edges { node { … } } } } } pageInfo { … } }` — $1 workspace, $2 first, $3 tickets. */
export const CUSTOMERS_WITH_TICKETS = `
WITH page AS (
  SELECT c.id, c.name, c.email, c."createdAt" FROM "Customer" c
  WHERE c."workspaceId" = $1::uuid AND c."mergedIntoId" IS NULL
  ORDER BY c."createdAt", c.id LIMIT $2::int + 1
), shown AS (SELECT * FROM page ORDER BY "createdAt", id LIMIT $2::int)
SELECT json_build_object('customers', json_build_object(
  'edges', ${list(`(SELECT json_agg(json_build_object('node', json_build_object(
      'id', ${gid('Customer', 's.id')}, 'name', s.name, 'email', s.email,
      'tickets', json_build_object('edges', ${list(`(
        SELECT json_agg(json_build_object('node', json_build_object(
          'id', ${gid('Ticket', 't.id')}, 'number', t.number, 'subject', t.subject, 'status', t.status,
          'priority', t.priority, 'createdAt', ${iso('t."createdAt"')})) ORDER BY t."createdAt" DESC, t.id DESC)
        FROM (SELECT t.id, t.number, t.subject, t.status, t.priority, t."createdAt" FROM "Ticket" t
              WHERE t."requesterId" = s.id ORDER BY t."createdAt" DESC, t.id DESC LIMIT $3::int) t)`)}))) ORDER BY s."createdAt", s.id)
    FROM shown s)`)},
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) FROM page) > $2::int,
    'endCursor', (SELECT ${cursor('s.id')} FROM shown s ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1))
))::text AS data`;

/** `ticket(id: $id) { id number subject status priority requester { name } }` — $1 workspace, $2 ticket uuid. */
export const TICKET_WITH_REQUESTER = `
SELECT json_build_object('ticket', (
  SELECT json_build_object('id', ${gid('Ticket', 't.id')}, 'number', t.number, 'subject', t.subject, 'status', t.status,
    'priority', t.priority, 'requester', json_build_object('name', c.name))
  FROM "Ticket" t JOIN "Customer" c ON c.id = t."requesterId"
  WHERE t.id = $2::uuid AND t."workspaceId" = $1::uuid))::text AS data`;

/**
 * Knowledge-base suggestions of one conversation `s` (src/schema/knowledge/search.ts,
 * suggestArticlesForConversations): the customer's latest 5 inbound messages (1,000 characters
 * each), their lexemes OR-ed into a tsquery, PUBLISHED articles of the same language by
 * ts_rank_cd. $1 workspace, `limitParam` the page size.
 */
const suggestions = (limitParam: string) => `${list(`(
  SELECT json_agg(json_build_object('article', json_build_object('id', ${gid('Article', 'h.id')}, 'title', h.title), 'rank', h.rank::float8) ORDER BY h.rank DESC, h.id)
  FROM (SELECT a.id, a.title, ts_rank_cd(a."searchVector", asked.q) AS rank
        FROM "Article" a
        WHERE a."workspaceId" = $1::uuid AND a.status = 'PUBLISHED'
          AND lower(split_part(a.locale, '-', 1)) = lower(split_part(asked.locale, '-', 1))
          AND a."searchVector" @@ asked.q
        ORDER BY rank DESC, a.id LIMIT ${limitParam}) h)`)}`;

const askedOf = (conversation: string, locale: string) => `LEFT JOIN LATERAL (
  SELECT said.locale, (SELECT string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || '''', ' | ')
      FROM unnest(tsvector_to_array(to_tsvector(cx_text_search_config(said.locale), coalesce(said.text, '')))) AS lexeme)::tsquery AS q
  FROM (SELECT ${locale} AS locale, (SELECT string_agg(recent.body, ' ') FROM (
      SELECT left(m.body, 1000) AS body FROM "Message" m
      WHERE m."conversationId" = ${conversation} AND m."workspaceId" = $1::uuid
        AND m.direction = 'INBOUND' AND m."authorKind" = 'CUSTOMER' AND NOT m."isInternalNote"
      ORDER BY m."createdAt" DESC, m.id DESC LIMIT 5) recent) AS text) said
) asked ON true`;

/** schema/operations/agent-inbox.graphql — $1 workspace, $2 team uuid, $3 first, $4 suggestions per conversation (2 in the operation). */
export const AGENT_INBOX = `
WITH matched AS (
  SELECT c.id, c."createdAt" FROM "Conversation" c
  WHERE c."workspaceId" = $1::uuid AND c.status IN ('OPEN', 'PENDING') AND c."teamId" = $2::uuid
), page AS (SELECT * FROM matched ORDER BY "createdAt", id LIMIT $3::int + 1),
shown AS (SELECT * FROM page ORDER BY "createdAt", id LIMIT $3::int)
SELECT json_build_object('conversations', json_build_object(
  'totalCount', (SELECT count(*) FROM matched),
  'edges', ${list(`(SELECT json_agg(json_build_object('cursor', ${cursor('c.id')}, 'node', json_build_object(
      'id', ${gid('Conversation', 'c.id')}, 'subject', c.subject, 'channel', c.channel, 'status', c.status, 'function', c.function,
      'waitingSince', ${iso('c."waitingSince"')}, 'messageCount', c."messageCount",
      'customer', json_build_object('id', ${gid('Customer', 'cu.id')}, 'name', cu.name, 'email', cu.email, 'tags', to_json(cu.tags),
        'organization', (SELECT json_build_object('name', o.name, 'tier', o.tier) FROM "Organization" o WHERE o.id = cu."organizationId")),
      'assignee', (SELECT json_build_object('id', ${gid('Agent', 'ag.id')}, 'name', ag.name) FROM "Agent" ag WHERE ag.id = c."assigneeId"),
      'team', (SELECT json_build_object('name', tm.name) FROM "Team" tm WHERE tm.id = c."teamId"),
      'messages', json_build_object('edges', ${list(`(SELECT json_agg(json_build_object('node', json_build_object(
          'authorKind', m."authorKind", 'body', m.body, 'createdAt', ${iso('m."createdAt"')})) ORDER BY m."createdAt", m.id)
        FROM (SELECT m.id, m."authorKind", m.body, m."createdAt" FROM "Message" m WHERE m."conversationId" = c.id
              ORDER BY m."createdAt", m.id LIMIT 3) m)`)}),
      'suggestedArticles', ${suggestions('$4::int')})) ORDER BY p."createdAt", p.id)
    FROM shown p JOIN "Conversation" c ON c.id = p.id JOIN "Customer" cu ON cu.id = c."customerId"
    ${askedOf('c.id', `coalesce(nullif(cu.locale, ''), 'en')`)})`)},
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) FROM page) > $3::int,
    'endCursor', (SELECT ${cursor('s.id')} FROM shown s ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1))
))::text AS data`;

/** Audit ids shown as global IDs (presentAuditValue in src/schema/tickets/types.ts). */
const AUDIT_ID_TYPES: Record<string, string> = {
  assigneeId: 'Agent', teamId: 'Team', problemId: 'Ticket', requesterId: 'Customer', organizationId: 'Organization',
  ticketId: 'Ticket', commentId: 'TicketComment', conversationId: 'Conversation', slaPolicyId: 'SlaPolicy',
};
const auditType = (key: string) => `CASE ${key} ${Object.entries(AUDIT_ID_TYPES).map(([k, t]) => `WHEN '${k}' THEN '${t}'`).join(' ')} END`;
const auditValue = (field: string, value: string) => `CASE
  WHEN ${value} IS NULL OR ${value} = 'null'::jsonb THEN NULL
  WHEN ${field} IS NOT NULL THEN CASE WHEN jsonb_typeof(${value}) = 'string' AND ${auditType(field)} IS NOT NULL
    THEN to_jsonb(${gidOf(auditType(field), `(${value} #>> '{}')`)}) ELSE ${value} END
  WHEN jsonb_typeof(${value}) = 'object' THEN coalesce((SELECT jsonb_object_agg(kv.k, CASE WHEN jsonb_typeof(kv.v) = 'string' AND ${auditType('kv.k')} IS NOT NULL
    THEN to_jsonb(${gidOf(auditType('kv.k'), `(kv.v #>> '{}')`)}) ELSE kv.v END) FROM jsonb_each(${value}) AS kv(k, v)), '{}'::jsonb)
  ELSE ${value} END`;

const timelineCursor = (p: string) =>
  `rtrim(translate(encode(convert_to('TL:' || ${iso(`${p}.at`)} || ':' || ${p}.kind || ':' || ${p}.id::text, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;

/** schema/operations/customer-360.graphql — $1 workspace, $2 customer uuid (a customer that was not merged away). */
export const CUSTOMER_360 = `
WITH tl AS (
  SELECT 'CONVERSATION' AS kind, c.id, c."createdAt" AS at FROM "Conversation" c WHERE c."workspaceId" = $1::uuid AND c."customerId" = $2::uuid
  UNION ALL SELECT 'MESSAGE', m.id, m."createdAt" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
    WHERE c."workspaceId" = $1::uuid AND c."customerId" = $2::uuid
  UNION ALL SELECT 'TICKET', t.id, t."createdAt" FROM "Ticket" t WHERE t."workspaceId" = $1::uuid AND t."requesterId" = $2::uuid
  UNION ALL SELECT 'TICKET_EVENT', e.id, e."createdAt" FROM "TicketEvent" e JOIN "Ticket" t ON t.id = e."ticketId"
    WHERE t."workspaceId" = $1::uuid AND t."requesterId" = $2::uuid AND e.kind <> 'CREATED'
  UNION ALL SELECT 'SURVEY_RESPONSE', s.id, coalesce(s."respondedAt", s."sentAt") FROM "SurveyResponse" s WHERE s."workspaceId" = $1::uuid AND s."customerId" = $2::uuid
  UNION ALL SELECT 'CUSTOMER_EVENT', ev.id, ev."occurredAt" FROM "CustomerEvent" ev WHERE ev."workspaceId" = $1::uuid AND ev."customerId" = $2::uuid
), tlpage AS (SELECT * FROM tl ORDER BY at DESC, kind DESC, id DESC LIMIT 21),
tlshown AS (SELECT * FROM tlpage ORDER BY at DESC, kind DESC, id DESC LIMIT 20)
SELECT json_build_object('customer', (SELECT json_build_object(
  'id', ${gid('Customer', 'cu.id')}, 'name', cu.name, 'email', cu.email, 'phone', cu.phone, 'tags', to_json(cu.tags), 'attributes', cu.attributes,
  'firstSeenAt', ${iso('cu."firstSeenAt"')}, 'lastSeenAt', ${iso('cu."lastSeenAt"')},
  'organization', (SELECT json_build_object('id', ${gid('Organization', 'o.id')}, 'name', o.name, 'plan', o.plan, 'tier', o.tier) FROM "Organization" o WHERE o.id = cu."organizationId"),
  'tickets', json_build_object(
    'totalCount', (SELECT count(*) FROM "Ticket" t WHERE t."requesterId" = cu.id),
    'edges', ${list(`(SELECT json_agg(json_build_object('node', json_build_object('id', ${gid('Ticket', 't.id')}, 'number', t.number, 'subject', t.subject,
        'status', t.status, 'priority', t.priority, 'assignee', (SELECT json_build_object('name', ag.name) FROM "Agent" ag WHERE ag.id = t."assigneeId")))
        ORDER BY t."createdAt" DESC, t.id DESC)
      FROM (SELECT t.id, t.number, t.subject, t.status, t.priority, t."assigneeId", t."createdAt" FROM "Ticket" t WHERE t."requesterId" = cu.id
            ORDER BY t."createdAt" DESC, t.id DESC LIMIT 5) t)`)}),
  'conversations', json_build_object(
    'totalCount', (SELECT count(*) FROM "Conversation" c WHERE c."customerId" = cu.id),
    'edges', ${list(`(SELECT json_agg(json_build_object('node', json_build_object('id', ${gid('Conversation', 'c.id')}, 'channel', c.channel, 'status', c.status,
        'function', c.function, 'subject', c.subject, 'createdAt', ${iso('c."createdAt"')})) ORDER BY c."createdAt" DESC, c.id DESC)
      FROM (SELECT c.id, c.channel, c.status, c.function, c.subject, c."createdAt" FROM "Conversation" c WHERE c."customerId" = cu.id
            ORDER BY c."createdAt" DESC, c.id DESC LIMIT 5) c)`)}),
  'surveyResponses', json_build_object(
    'edges', ${list(`(SELECT json_agg(json_build_object('node', json_build_object('kind', s.kind, 'score', s.score, 'comment', s.comment,
        'respondedAt', ${iso('s."respondedAt"')})) ORDER BY s."sentAt" DESC, s.id DESC)
      FROM (SELECT s.id, s.kind, s.score, s.comment, s."respondedAt", s."sentAt" FROM "SurveyResponse" s WHERE s."customerId" = cu.id
            ORDER BY s."sentAt" DESC, s.id DESC LIMIT 5) s)`)}),
  'timeline', json_build_object(
    'totalCount', (SELECT count(*) FROM tl),
    'edges', ${list(`(SELECT json_agg(json_build_object('cursor', ${timelineCursor('p')}, 'node', json_build_object(
        'kind', p.kind, 'occurredAt', ${iso('p.at')},
        'message', (SELECT json_build_object('authorKind', m."authorKind", 'body', m.body) FROM "Message" m WHERE p.kind = 'MESSAGE' AND m.id = p.id),
        'ticket', (SELECT json_build_object('number', t.number, 'subject', t.subject) FROM "Ticket" t WHERE p.kind = 'TICKET' AND t.id = p.id),
        'ticketEvent', (SELECT json_build_object('kind', e.kind, 'field', e.field, 'newValue', ${auditValue('e.field', 'e."newValue"')})
          FROM "TicketEvent" e WHERE p.kind = 'TICKET_EVENT' AND e.id = p.id),
        'surveyResponse', (SELECT json_build_object('kind', s.kind, 'score', s.score) FROM "SurveyResponse" s WHERE p.kind = 'SURVEY_RESPONSE' AND s.id = p.id),
        'customerEvent', (SELECT json_build_object('type', ev.type, 'value', ev.value::float8, 'currency', ev.currency)
          FROM "CustomerEvent" ev WHERE p.kind = 'CUSTOMER_EVENT' AND ev.id = p.id),
        'conversation', (SELECT json_build_object('channel', c.channel, 'subject', c.subject) FROM "Conversation" c WHERE p.kind = 'CONVERSATION' AND c.id = p.id)))
        ORDER BY p.at DESC, p.kind DESC, p.id DESC)
      FROM tlshown p)`)},
    'pageInfo', json_build_object(
      'hasNextPage', (SELECT count(*) FROM tlpage) > 20,
      'endCursor', (SELECT ${timelineCursor('p')} FROM tlshown p ORDER BY p.at, p.kind, p.id LIMIT 1)))
) FROM "Customer" cu WHERE cu.id = $2::uuid AND cu."workspaceId" = $1::uuid))::text AS data`;
