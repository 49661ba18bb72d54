import type { Command } from 'commander';
import { register as serve } from './serve.js';
import { register as validate } from './validate.js';
import { register as bench } from './bench.js';
import { register as monitor } from './monitor.js';
import { register as controller } from './controller.js';
import { register as deploy } from './deploy.js';
import { register as rollback } from './rollback.js';
import { register as status } from './status.js';
import { register as history } from './history.js';
import { register as logs } from './logs.js';
import { register as promote } from './promote.js';
import { register as abort } from './abort.js';
import { register as start } from './start.js';
import { register as connect } from './connect.js';
import { register as prices } from './prices.js';
import { register as router } from './router.js';
import { register as shutdown } from './shutdown.js';

/** Every verb of the CLI; each file registers one command and stays thin. */
export const verbs: Array<(program: Command) => void> = [
  serve,
  validate,
  bench,
  monitor,
  controller,
  deploy,
  rollback,
  status,
  history,
  logs,
  promote,
  abort,
  start,
  connect,
  prices,
  router,
  shutdown,
];
