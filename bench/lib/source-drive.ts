/**
 * Drives relay A's cron one `scheduled` invocation at a time, through Miniflare's trigger route,
 * until a source's import run is over (bench:import's loop, for any source kind).
 */
import { CRON, SCHEDULED_ROUTE } from './provision-drain.ts';
import type { Runtime } from './runtime.ts';

export interface ImportDrive {
  ms: number;
  ticks: number;
  tickMs: number[];
  status: string;
  kind: string;
  counts: Record<string, number>;
}

export async function driveImport(rt: Runtime, sourceId: string, maxTicks: number, label: string): Promise<ImportDrive> {
  const started = performance.now();
  const tickMs: number[] = [];
  let run: { status: string; counts: string; kind: string } | null = null;
  for (let i = 0; i < maxTicks; i++) {
    const t = performance.now();
    const res = await fetch(`${rt.url}${SCHEDULED_ROUTE}?cron=${encodeURIComponent(CRON)}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`scheduled handler answered ${res.status}: ${text.slice(0, 300)}`);
    tickMs.push(performance.now() - t);
    const source = await rt.db.prepare('SELECT cursor FROM sources WHERE id = ?').bind(sourceId).first<{ cursor: string | null }>();
    run = await rt.db
      .prepare('SELECT status, counts, kind FROM import_runs WHERE source_id = ? ORDER BY started_at DESC LIMIT 1')
      .bind(sourceId)
      .first<{ status: string; counts: string; kind: string }>();
    process.stdout.write(`\r  ${label}: tick ${i + 1}, ${JSON.parse(run?.counts ?? '{}').read ?? 0} read   `);
    if (!source?.cursor) break;
  }
  process.stdout.write('\n');
  return {
    ms: performance.now() - started,
    ticks: tickMs.length,
    tickMs,
    status: run?.status ?? 'none',
    kind: run?.kind ?? 'none',
    counts: JSON.parse(run?.counts ?? '{}') as Record<string, number>,
  };
}
