import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contractFile, printContract } from '../schema/print.ts';
import { runCli } from './run.ts';

runCli(async () => {
  await writeFile(contractFile, printContract());
  console.log(`wrote ${path.relative(process.cwd(), contractFile)}`);
});
