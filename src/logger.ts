import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** Structured JSON logs on stdout (one line per event), ready for any log collector. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'cxgraph' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
