import path from 'node:path';
import { printSchema } from 'graphql';
import { projectRoot } from '../db/migrations.ts';
import { getSortedSchema } from './index.ts';

/** schema/schema.graphql: the public contract, sorted so diffs stay reviewable. */
export const contractFile = path.join(projectRoot, 'schema', 'schema.graphql');

export function printContract(): string {
  return `${printSchema(getSortedSchema())}\n`;
}
