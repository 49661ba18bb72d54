// Crash points for the tests that kill the controller at exact moments of a deploy: with
// DEPLOY_FAILPOINT=<name> set, the controller SIGKILLs itself when it reaches that point, as a
// `kill -9` landing there would. Never set in production; nothing happens when it is unset.

export type FailpointName = 'switch-saved' | 'draining' | 'promoting';

export function failpoint(name: FailpointName): void {
  if (process.env.DEPLOY_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
