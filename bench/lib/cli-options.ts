/**
 * The benchmark commands' option parsing: `--name value`, `--name=value` and boolean `--flag`.
 * Each command declares its options once; an unknown option is an error that lists the known ones.
 */
export type OptionKind = 'int' | 'string' | 'list' | 'flag';

export interface OptionSpec {
  kind: OptionKind;
  description: string;
  /** Smallest value of an `int` option (default 1). */
  min?: number;
}

export type ParsedOptions = Record<string, number | string | string[] | boolean | undefined>;

export function usage(command: string, specs: Record<string, OptionSpec>): string {
  const lines = Object.entries(specs).map(([name, spec]) => {
    const value = spec.kind === 'flag' ? '' : spec.kind === 'int' ? ' N' : spec.kind === 'list' ? ' a,b' : ' VALUE';
    return `  --${name}${value}`.padEnd(30) + spec.description;
  });
  return [`usage: ${command} [options]`, ...lines].join('\n');
}

export function parseOptions(argv: string[], specs: Record<string, OptionSpec>, command: string): ParsedOptions {
  const parsed: ParsedOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage(command, specs)}\n`);
      process.exit(0);
    }
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const spec = match ? specs[match[1]] : undefined;
    if (!match || !spec) throw new Error(`unknown option ${arg}\n${usage(command, specs)}`);
    const name = match[1];
    if (spec.kind === 'flag') {
      if (match[2] !== undefined) throw new Error(`--${name} takes no value`);
      parsed[name] = true;
      continue;
    }
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${name} needs a value`);
    if (spec.kind === 'int') {
      const n = Number(raw.replace(/_/g, ''));
      const min = spec.min ?? 1;
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs an integer ≥ ${min}, got ${raw}`);
      parsed[name] = n;
    } else if (spec.kind === 'list') {
      parsed[name] = raw.split(',').map((s) => s.trim()).filter(Boolean);
    } else {
      parsed[name] = raw;
    }
  }
  return parsed;
}
