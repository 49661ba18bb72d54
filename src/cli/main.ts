#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT_USAGE, UsageError } from './usage.js';
import { verbsFor } from './verbs.js';

// The CLI is a list of thin verbs (one file each, see verbs.ts); behaviour lives
// in src/mcp, src/http, src/check and src/deploy. Only the verb being run is loaded.
const program = new Command('llm-pricing-mcp')
  .description('LLM API prices over MCP, and a zero-downtime blue-green deployer for it')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  // Program options are read only before the verb, so `deploy --version V`
  // reaches the verb instead of printing the program's own version.
  .enablePositionalOptions()
  .exitOverride();

for (const verb of verbsFor(process.argv)) (await verb.load()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" to commander with exit code 0.
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
