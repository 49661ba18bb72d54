import type { Command } from 'commander';
import { register as serve } from './serve.js';
import { register as validate } from './validate.js';
import { register as bench } from './bench.js';
import { register as monitor } from './monitor.js';

/** Every verb of the CLI; each file registers one command and stays thin. */
export const verbs: Array<(program: Command) => void> = [serve, validate, bench, monitor];
