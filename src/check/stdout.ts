// Output for the check verbs: a reader that goes away (`validate ... | head -3`)
// ends the run quietly instead of crashing on EPIPE.

let guarded = false;

export function printLine(line: string): void {
  if (!guarded) {
    guarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      // Not finished yet means not verified: exit 1 unless a verdict was already set.
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 1);
      throw err;
    });
  }
  process.stdout.write(`${line}\n`);
}
