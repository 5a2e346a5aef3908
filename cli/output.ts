/** Prints a command's result: JSON for scripts with --json (on one line when `oneLine`), else the human rendering. */
export function emit(json: boolean, value: unknown, human: () => string, oneLine = false): void {
  if (json) process.stdout.write(JSON.stringify(value, null, oneLine ? undefined : 2) + '\n');
  else process.stdout.write(human() + '\n');
}

/** Progress and notices go to stderr so `--json` stdout stays parseable. */
export function note(line: string): void {
  process.stderr.write(line + '\n');
}
