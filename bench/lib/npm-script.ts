import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeployedCommand {
  /** `NAME=value` assignments before `node` (e.g. the malloc tuning). */
  env: Record<string, string>;
  /** The flags between `node` and the entry file. */
  nodeFlags: string[];
  /** The entry file, relative to the repository root (`dist/src/main.bundle.js`). */
  entry: string;
}

/**
 * How an npm script starts a process (`[NAME=value …] node [flags…] <entry>`), read from
 * package.json, so a benchmark runs exactly what `npm run start:api` / `start:worker` deploy.
 */
export function deployedCommand(repoRoot: string, script: string): DeployedCommand {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const command = pkg.scripts?.[script] ?? '';
  const match = /^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)node\s+((?:--?\S+\s+)*)(\S+\.js)\b/.exec(command.trim());
  if (!match) throw new Error(`cannot read "[VAR=value …] node [flags…] <entry>.js" from the ${script} script: ${command}`);
  const env = Object.fromEntries(match[1].split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { env, nodeFlags: match[2].split(/\s+/).filter(Boolean), entry: match[3] };
}
