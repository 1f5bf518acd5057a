/**
 * The few facts `npm run deploy` needs from wrangler.toml, read and written as text: the D1
 * database (binding DB) and the queues it declares. A TOML library would rewrite the file's
 * comments and layout, which admins edit by hand; these edits touch one value each.
 */

export interface DeployConfig {
  workerName: string;
  databaseName: string;
  databaseId: string;
  queues: string[];
}

/** The id wrangler.toml ships with until a real database is created. */
export const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000';

const value = (block: string, key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm').exec(block)?.[1];

/** The `[[d1_databases]]` block whose binding is DB, with its offset in the file. */
function databaseBlock(toml: string): { start: number; text: string } {
  const re = /^\[\[d1_databases\]\]\s*$/gm;
  for (let m = re.exec(toml); m; m = re.exec(toml)) {
    const start = m.index;
    const rest = toml.slice(start + m[0].length);
    const next = /^\[/m.exec(rest);
    const text = toml.slice(start, start + m[0].length + (next ? next.index : rest.length));
    if (value(text, 'binding') === 'DB') return { start, text };
  }
  throw new Error('wrangler.toml has no [[d1_databases]] block with binding = "DB".');
}

export function readDeployConfig(toml: string): DeployConfig {
  const db = databaseBlock(toml);
  const workerName = value(toml.slice(0, toml.search(/^\[/m) >>> 0), 'name');
  const databaseName = value(db.text, 'database_name');
  if (!workerName) throw new Error('wrangler.toml has no top-level name.');
  if (!databaseName) throw new Error('wrangler.toml: the DB database has no database_name.');
  // Producers and consumers both name their queue; each is created once. Only the top level's:
  // an [env.*] section's queues (the tests' [env.test]) are not the deployed worker's.
  const topLevel = toml.slice(0, toml.search(/^\[+env\./m) >>> 0);
  const queues = [...new Set([...topLevel.matchAll(/^\[\[queues\.(?:producers|consumers)\]\][^[]*?^\s*queue\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!))];
  const deadLetters = [...topLevel.matchAll(/^\s*dead_letter_queue\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!);
  return { workerName, databaseName, databaseId: value(db.text, 'database_id') ?? '', queues: [...new Set([...queues, ...deadLetters])] };
}

/** The same file with the DB database's id set (added when the block has none). */
export function withDatabaseId(toml: string, id: string): string {
  const db = databaseBlock(toml);
  const replaced = /^(\s*database_id\s*=\s*)"[^"]*"/m.test(db.text)
    ? db.text.replace(/^(\s*database_id\s*=\s*)"[^"]*"/m, `$1"${id}"`)
    : db.text.replace(/^(\s*database_name\s*=\s*"[^"]*"\s*)$/m, `$1\ndatabase_id = "${id}"`);
  return toml.slice(0, db.start) + replaced + toml.slice(db.start + db.text.length);
}
