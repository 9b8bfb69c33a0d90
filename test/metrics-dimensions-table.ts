import type { Group, Ids } from './metrics-dimensions-fixture.ts';

/** The expected values of test/metrics-dimensions.test.ts, worked out by hand from the fixture described in metrics-dimensions-fixture.ts. */

type Dim = 'TEAM' | 'AGENT' | 'CHANNEL' | 'FUNCTION' | 'PRIORITY' | 'ORGANIZATION' | 'CUSTOMER';
export interface Expected {
  /** Each supported statistic over the whole range: [value, sampleSize]. */
  statistics: Record<string, [number | null, number]>;
  /** Groups of the default statistic, per dimension. */
  groups: Partial<Record<Dim, Group[]>>;
}

/** The hand-computed table. `i` stands for the fixture's ids (keys are global IDs). */
export function table(i: Ids): Record<string, Expected> {
  const { A, B, X, Y, O1, O2, K1, K2, K3 } = i;
  const third = 100 / 3;
  return {
    // Samples T1 600, T2 1800, T3 300 → sorted 300, 600, 1800: mean 900, median 600, p90 = 600 + 0.8 × 1200 = 1560.
    ticket_first_response_time: {
      statistics: { MEDIAN: [600, 3], MEAN: [900, 3], P90: [1560, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 450, 2], [B, 1800, 1]], // A: median of 600, 300
        AGENT: [[X, 600, 1], [Y, 1800, 1], [null, 300, 1]],
        CHANNEL: [['CHAT', 600, 1], ['EMAIL', 300, 1], [null, 1800, 1]],
        FUNCTION: [['SERVICE', 1800, 1], ['SUPPORT', 450, 2]],
        PRIORITY: [['HIGH', 600, 1], ['LOW', 300, 1], ['NORMAL', 1800, 1]],
        ORGANIZATION: [[O1, 600, 1], [O2, 1050, 2]], // O2: median of 1800, 300
        CUSTOMER: [[K1, 600, 1], [K2, 1050, 2]],
      },
    },
    // T1 3600, T2 7200, T3 900 → mean 3900, median 3600, p90 = 3600 + 0.8 × 3600 = 6480.
    ticket_first_resolution_time: {
      statistics: { MEDIAN: [3600, 3], MEAN: [3900, 3], P90: [6480, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 2250, 2], [B, 7200, 1]],
        AGENT: [[X, 3600, 1], [Y, 7200, 1], [null, 900, 1]],
        CHANNEL: [['CHAT', 3600, 1], ['EMAIL', 900, 1], [null, 7200, 1]],
        FUNCTION: [['SERVICE', 7200, 1], ['SUPPORT', 2250, 2]],
        PRIORITY: [['HIGH', 3600, 1], ['LOW', 900, 1], ['NORMAL', 7200, 1]],
        ORGANIZATION: [[O1, 3600, 1], [O2, 4050, 2]],
        CUSTOMER: [[K1, 3600, 1], [K2, 4050, 2]],
      },
    },
    // T1 3600, T3 900 (T2 is reopened, not solved now) → mean = median 2250, p90 = 900 + 0.9 × 2700 = 3330.
    ticket_full_resolution_time: {
      statistics: { MEDIAN: [2250, 2], MEAN: [2250, 2], P90: [3330, 2], COUNT: [2, 2] },
      groups: {
        TEAM: [[A, 2250, 2]],
        AGENT: [[X, 3600, 1], [null, 900, 1]],
        CHANNEL: [['CHAT', 3600, 1], ['EMAIL', 900, 1]],
        FUNCTION: [['SUPPORT', 2250, 2]],
        PRIORITY: [['HIGH', 3600, 1], ['LOW', 900, 1]],
        ORGANIZATION: [[O1, 3600, 1], [O2, 900, 1]],
        CUSTOMER: [[K1, 3600, 1], [K2, 900, 1]],
      },
    },
    // T1 ✗ (2 replies), T2 ✗ (3 replies, reopened), T3 ✓ → 1 / 3.
    first_contact_resolution_rate: {
      statistics: { RATE: [third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 50, 2], [B, 0, 1]],
        AGENT: [[X, 0, 1], [Y, 0, 1], [null, 100, 1]],
        CHANNEL: [['CHAT', 0, 1], ['EMAIL', 100, 1], [null, 0, 1]],
        FUNCTION: [['SERVICE', 0, 1], ['SUPPORT', 50, 2]],
        PRIORITY: [['HIGH', 0, 1], ['LOW', 100, 1], ['NORMAL', 0, 1]],
        ORGANIZATION: [[O1, 0, 1], [O2, 50, 2]],
        CUSTOMER: [[K1, 0, 1], [K2, 50, 2]],
      },
    },
    // Solved at least once: T1, T2 (reopened), T3 → 1 / 3.
    reopen_rate: {
      statistics: { RATE: [third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 0, 2], [B, 100, 1]],
        AGENT: [[X, 0, 1], [Y, 100, 1], [null, 0, 1]],
        CHANNEL: [['CHAT', 0, 1], ['EMAIL', 0, 1], [null, 100, 1]],
        FUNCTION: [['SERVICE', 100, 1], ['SUPPORT', 0, 2]],
        PRIORITY: [['HIGH', 0, 1], ['LOW', 0, 1], ['NORMAL', 100, 1]],
        ORGANIZATION: [[O1, 0, 1], [O2, 50, 2]],
        CUSTOMER: [[K1, 0, 1], [K2, 50, 2]],
      },
    },
    // T1–T4 (T5 merged away).
    ticket_volume: {
      statistics: { COUNT: [4, 4] },
      groups: {
        TEAM: [[A, 2, 2], [B, 1, 1], [null, 1, 1]],
        AGENT: [[X, 2, 2], [Y, 1, 1], [null, 1, 1]],
        CHANNEL: [['CHAT', 1, 1], ['EMAIL', 1, 1], [null, 2, 2]],
        FUNCTION: [['SERVICE', 1, 1], ['SUPPORT', 3, 3]],
        PRIORITY: [['HIGH', 1, 1], ['LOW', 1, 1], ['NORMAL', 1, 1], ['URGENT', 1, 1]],
        ORGANIZATION: [[O1, 1, 1], [O2, 2, 2], [null, 1, 1]],
        CUSTOMER: [[K1, 2, 2], [K2, 2, 2]],
      },
    },
    // First solves in March: T1, T2, T3.
    tickets_solved: {
      statistics: { COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 2, 2], [B, 1, 1]],
        AGENT: [[X, 1, 1], [Y, 1, 1], [null, 1, 1]],
        CHANNEL: [['CHAT', 1, 1], ['EMAIL', 1, 1], [null, 1, 1]],
        FUNCTION: [['SERVICE', 1, 1], ['SUPPORT', 2, 2]],
        PRIORITY: [['HIGH', 1, 1], ['LOW', 1, 1], ['NORMAL', 1, 1]],
        ORGANIZATION: [[O1, 1, 1], [O2, 2, 2]],
        CUSTOMER: [[K1, 1, 1], [K2, 2, 2]],
      },
    },
    // T1 660, T2 1200, T3 300 → mean 720, median 660, p90 = 660 + 0.8 × 540 = 1092.
    average_handle_time: {
      statistics: { MEAN: [720, 3], MEDIAN: [660, 3], P90: [1092, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 480, 2], [B, 1200, 1]],
        AGENT: [[X, 660, 1], [Y, 1200, 1], [null, 300, 1]],
        CHANNEL: [['CHAT', 660, 1], ['EMAIL', 300, 1], [null, 1200, 1]],
        FUNCTION: [['SERVICE', 1200, 1], ['SUPPORT', 480, 2]],
        PRIORITY: [['HIGH', 660, 1], ['LOW', 300, 1], ['NORMAL', 1200, 1]],
        ORGANIZATION: [[O1, 660, 1], [O2, 750, 2]],
        CUSTOMER: [[K1, 660, 1], [K2, 750, 2]],
      },
    },
    // Waits T1 1800, T2 600, T2 1800 → sorted 600, 1800, 1800: mean 1400, median 1800, p90 1800.
    ticket_next_reply_time: {
      statistics: { MEDIAN: [1800, 3], MEAN: [1400, 3], P90: [1800, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 1800, 1], [B, 1200, 2]],
        AGENT: [[X, 1800, 1], [Y, 1200, 2]],
        CHANNEL: [['CHAT', 1800, 1], [null, 1200, 2]],
        FUNCTION: [['SERVICE', 1200, 2], ['SUPPORT', 1800, 1]],
        PRIORITY: [['HIGH', 1800, 1], ['NORMAL', 1200, 2]],
        ORGANIZATION: [[O1, 1800, 1], [O2, 1200, 2]],
        CUSTOMER: [[K1, 1800, 1], [K2, 1200, 2]],
      },
    },
    // T1 ✓ T2 ✓ T3 ✓ T4 ✗ → 75 %.
    sla_first_response_compliance: {
      statistics: { RATE: [75, 4], COUNT: [4, 4] },
      groups: {
        TEAM: [[A, 100, 2], [B, 100, 1], [null, 0, 1]],
        AGENT: [[X, 50, 2], [Y, 100, 1], [null, 100, 1]],
        CHANNEL: [['CHAT', 100, 1], ['EMAIL', 100, 1], [null, 50, 2]],
        FUNCTION: [['SERVICE', 100, 1], ['SUPPORT', 200 / 3, 3]],
        PRIORITY: [['HIGH', 100, 1], ['LOW', 100, 1], ['NORMAL', 100, 1], ['URGENT', 0, 1]],
        ORGANIZATION: [[O1, 100, 1], [O2, 100, 2], [null, 0, 1]],
        CUSTOMER: [[K1, 50, 2], [K2, 100, 2]],
      },
    },
    // T1 ✗, T2 ✓ ✗ → 1 / 3.
    sla_next_response_compliance: {
      statistics: { RATE: [third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 0, 1], [B, 50, 2]],
        AGENT: [[X, 0, 1], [Y, 50, 2]],
        CHANNEL: [['CHAT', 0, 1], [null, 50, 2]],
        FUNCTION: [['SERVICE', 50, 2], ['SUPPORT', 0, 1]],
        PRIORITY: [['HIGH', 0, 1], ['NORMAL', 50, 2]],
        ORGANIZATION: [[O1, 0, 1], [O2, 50, 2]],
        CUSTOMER: [[K1, 0, 1], [K2, 50, 2]],
      },
    },
    // T1 ✓, T2 ✗, T3 ✓ → 2 / 3.
    sla_resolution_compliance: {
      statistics: { RATE: [2 * third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 100, 2], [B, 0, 1]],
        AGENT: [[X, 100, 1], [Y, 0, 1], [null, 100, 1]],
        CHANNEL: [['CHAT', 100, 1], ['EMAIL', 100, 1], [null, 0, 1]],
        FUNCTION: [['SERVICE', 0, 1], ['SUPPORT', 100, 2]],
        PRIORITY: [['HIGH', 100, 1], ['LOW', 100, 1], ['NORMAL', 0, 1]],
        ORGANIZATION: [[O1, 100, 1], [O2, 50, 2]],
        CUSTOMER: [[K1, 100, 1], [K2, 50, 2]],
      },
    },
    // Open at 04-01: T2 (B, Y, no channel, SERVICE, NORMAL, O2, K2) and T4 (no team, X, SUPPORT, URGENT, no org, K1).
    ticket_backlog: {
      statistics: { COUNT: [2, 2] },
      groups: {
        TEAM: [[B, 1, 1], [null, 1, 1]],
        AGENT: [[X, 1, 1], [Y, 1, 1]],
        CHANNEL: [[null, 2, 2]],
        FUNCTION: [['SERVICE', 1, 1], ['SUPPORT', 1, 1]],
        PRIORITY: [['NORMAL', 1, 1], ['URGENT', 1, 1]],
        ORGANIZATION: [[O2, 1, 1], [null, 1, 1]],
        CUSTOMER: [[K1, 1, 1], [K2, 1, 1]],
      },
    },
    // Answers S1 5 ✓ (T1: A X CHAT SUPPORT HIGH O1 K1), S2 2 ✗ (V2: B Y EMAIL SERVICE — O2 K2),
    // S3 4 ✓ (T2: B Y — SERVICE NORMAL O2 K2) → 2 / 3.
    csat: {
      statistics: { RATE: [2 * third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 100, 1], [B, 50, 2]],
        AGENT: [[X, 100, 1], [Y, 50, 2]],
        CHANNEL: [['CHAT', 100, 1], ['EMAIL', 0, 1], [null, 100, 1]],
        FUNCTION: [['SERVICE', 50, 2], ['SUPPORT', 100, 1]],
        PRIORITY: [['HIGH', 100, 1], ['NORMAL', 100, 1], [null, 0, 1]],
        ORGANIZATION: [[O1, 100, 1], [O2, 50, 2]],
        CUSTOMER: [[K1, 100, 1], [K2, 50, 2]],
      },
    },
    // S5 10 → +100 (T1), S6 6 → −100 (V4: no team, X, CHAT, SERVICE, no priority, O1, K1),
    // S7 9 → +100 (T3: A, no agent, EMAIL, SUPPORT, LOW, O2, K2) → mean 100 / 3.
    nps: {
      statistics: { MEAN: [third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 100, 2], [null, -100, 1]],
        AGENT: [[X, 0, 2], [null, 100, 1]],
        CHANNEL: [['CHAT', 0, 2], ['EMAIL', 100, 1]],
        FUNCTION: [['SERVICE', -100, 1], ['SUPPORT', 100, 2]],
        PRIORITY: [['HIGH', 100, 1], ['LOW', 100, 1], [null, -100, 1]],
        ORGANIZATION: [[O1, 0, 2], [O2, 100, 1]],
        CUSTOMER: [[K1, 0, 2], [K2, 100, 1]],
      },
    },
    // S8 3 (T2: B Y — SERVICE NORMAL O2 K2), S9 6 (V1: A X CHAT SERVICE — O1 K1),
    // S10 7 (T3: A — EMAIL SUPPORT LOW O2 K2) → mean 16 / 3, median 6.
    ces: {
      statistics: { MEAN: [16 / 3, 3], MEDIAN: [6, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 6.5, 2], [B, 3, 1]],
        AGENT: [[X, 6, 1], [Y, 3, 1], [null, 7, 1]],
        CHANNEL: [['CHAT', 6, 1], ['EMAIL', 7, 1], [null, 3, 1]],
        FUNCTION: [['SERVICE', 4.5, 2], ['SUPPORT', 7, 1]],
        PRIORITY: [['LOW', 7, 1], ['NORMAL', 3, 1], [null, 6, 1]],
        ORGANIZATION: [[O1, 6, 1], [O2, 5, 2]],
        CUSTOMER: [[K1, 6, 1], [K2, 5, 2]],
      },
    },
    // Sent S1–S10, S4 unanswered → 9 / 10. Per survey (team, agent, function, org, customer):
    // S1 A X SUPPORT O1 K1 · S2 B Y SERVICE O2 K2 · S3 B Y SERVICE O2 K2 · S4 ✗ A — SUPPORT O2 K2 ·
    // S5 A X SUPPORT O1 K1 · S6 — X SERVICE O1 K1 · S7 A — SUPPORT O2 K2 · S8 B Y SERVICE O2 K2 ·
    // S9 A X SERVICE O1 K1 · S10 A — SUPPORT O2 K2. CHANNEL (a ticket survey takes the channel of
    // the conversation the ticket was escalated from, since version 2): CHAT {S1, S5 (T1 ← V1),
    // S6 (V4), S9 (V1)} 4 / 4 · EMAIL {S2 (V2), S4 ✗, S7, S10 (T3 ← V2)} 3 / 4 · none {S3, S8 (T2)} 2 / 2.
    survey_response_rate: {
      statistics: { RATE: [90, 10], COUNT: [10, 10] },
      groups: {
        CHANNEL: [['CHAT', 100, 4], ['EMAIL', 75, 4], [null, 100, 2]],
        TEAM: [[A, 500 / 6, 6], [B, 100, 3], [null, 100, 1]],
        AGENT: [[X, 100, 4], [Y, 100, 3], [null, 2 * third, 3]],
        FUNCTION: [['SERVICE', 100, 5], ['SUPPORT', 80, 5]],
        ORGANIZATION: [[O1, 100, 4], [O2, 500 / 6, 6]],
        CUSTOMER: [[K1, 100, 4], [K2, 500 / 6, 6]],
      },
    },
    // V1 600, V2 1800 → median = mean 1200, p90 = 600 + 0.9 × 1200 = 1680.
    conversation_first_response_time: {
      statistics: { MEDIAN: [1200, 2], MEAN: [1200, 2], P90: [1680, 2], COUNT: [2, 2] },
      groups: {
        TEAM: [[A, 600, 1], [B, 1800, 1]],
        AGENT: [[X, 600, 1], [Y, 1800, 1]],
        CHANNEL: [['CHAT', 600, 1], ['EMAIL', 1800, 1]],
        FUNCTION: [['SERVICE', 1200, 2]],
        ORGANIZATION: [[O1, 600, 1], [O2, 1800, 1]],
        CUSTOMER: [[K1, 600, 1], [K2, 1800, 1]],
      },
    },
    // V1–V4.
    conversation_volume: {
      statistics: { COUNT: [4, 4] },
      groups: {
        TEAM: [[A, 2, 2], [B, 1, 1], [null, 1, 1]],
        AGENT: [[X, 2, 2], [Y, 1, 1], [null, 1, 1]],
        CHANNEL: [['CHAT', 2, 2], ['EMAIL', 1, 1], ['PHONE', 1, 1]],
        FUNCTION: [['SERVICE', 3, 3], ['SUPPORT', 1, 1]],
        ORGANIZATION: [[O1, 2, 2], [O2, 1, 1], [null, 1, 1]],
        CUSTOMER: [[K1, 2, 2], [K2, 1, 1], [K3, 1, 1]],
      },
    },
    // SERVICE conversations V1 ✓, V2 ✓, V4 ✗ → 2 / 3.
    escalation_rate: {
      statistics: { RATE: [2 * third, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 100, 1], [B, 100, 1], [null, 0, 1]],
        AGENT: [[X, 50, 2], [Y, 100, 1]],
        CHANNEL: [['CHAT', 50, 2], ['EMAIL', 100, 1]],
        FUNCTION: [['SERVICE', 2 * third, 3]],
        ORGANIZATION: [[O1, 50, 2], [O2, 100, 1]],
        CUSTOMER: [[K1, 50, 2], [K2, 100, 1]],
      },
    },
    // V1 300, V2 900, V4 120 → mean 440, median 300, p90 = 300 + 0.8 × 600 = 780.
    conversation_handle_time: {
      statistics: { MEAN: [440, 3], MEDIAN: [300, 3], P90: [780, 3], COUNT: [3, 3] },
      groups: {
        TEAM: [[A, 300, 1], [B, 900, 1], [null, 120, 1]],
        AGENT: [[X, 210, 2], [Y, 900, 1]],
        CHANNEL: [['CHAT', 210, 2], ['EMAIL', 900, 1]],
        FUNCTION: [['SERVICE', 440, 3]],
        ORGANIZATION: [[O1, 210, 2], [O2, 900, 1]],
        CUSTOMER: [[K1, 210, 2], [K2, 900, 1]],
      },
    },
    // V1 1200, V2 600 → median = mean 900, p90 = 600 + 0.9 × 600 = 1140.
    conversation_next_reply_time: {
      statistics: { MEDIAN: [900, 2], MEAN: [900, 2], P90: [1140, 2], COUNT: [2, 2] },
      groups: {
        TEAM: [[A, 1200, 1], [B, 600, 1]],
        AGENT: [[X, 1200, 1], [Y, 600, 1]],
        CHANNEL: [['CHAT', 1200, 1], ['EMAIL', 600, 1]],
        FUNCTION: [['SERVICE', 900, 2]],
        ORGANIZATION: [[O1, 1200, 1], [O2, 600, 1]],
        CUSTOMER: [[K1, 1200, 1], [K2, 600, 1]],
      },
    },
    // Base K1, K2, K3; retained K1, K3.
    customer_retention_rate: {
      statistics: { RATE: [2 * third, 3], COUNT: [3, 3] },
      groups: { ORGANIZATION: [[O1, 100, 1], [O2, 0, 1], [null, 100, 1]], CUSTOMER: [[K1, 100, 1], [K2, 0, 1], [K3, 100, 1]] },
    },
    customer_churn_rate: {
      statistics: { RATE: [third, 3], COUNT: [3, 3] },
      groups: { ORGANIZATION: [[O1, 0, 1], [O2, 100, 1], [null, 0, 1]], CUSTOMER: [[K1, 0, 1], [K2, 100, 1], [K3, 0, 1]] },
    },
    // New buyers K1 (100, 50: repeat), K2 (40 only).
    repeat_purchase_rate: {
      statistics: { RATE: [50, 2], COUNT: [2, 2] },
      groups: { ORGANIZATION: [[O1, 100, 1], [O2, 0, 1]], CUSTOMER: [[K1, 100, 1], [K2, 0, 1]] },
    },
    // K1 150, K2 40 → mean = median 95, p90 = 40 + 0.9 × 110 = 139.
    customer_lifetime_value: {
      statistics: { MEAN: [95, 2], MEDIAN: [95, 2], P90: [139, 2], COUNT: [2, 2] },
      groups: { ORGANIZATION: [[O1, 150, 1], [O2, 40, 1]], CUSTOMER: [[K1, 150, 1], [K2, 40, 1]] },
    },
  };
}
