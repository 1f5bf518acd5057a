/**
 * /api/v1/sources: sources (systems the relay imports people from), "save and test", runs, held
 * reconciliations, and the single-user import the extension calls. Credentials never leave.
 */
import { Hono } from 'hono';
import { importRunSchema, type ImportRun } from '../../../shared/src/sources';
import { lookupUsers } from '../db/directory-views';
import { selectImportRuns, type ImportRunRow } from '../db/sources';
import { createBudget } from '../limits/budget';
import { dispatchAutomaticAfter } from '../provisioning/dispatch-after';
import { enqueueWork, sourceMessage, workQueueOf } from '../queue/messages';
import { approveHeldRun, runImports } from '../sources/importer';
import { SourceError } from '../sources/remote';
import { importOne } from '../sources/single-import';
import { createSource, deleteSource, getSource, listSources, updateSource } from '../sources/sources';
import { testSource } from '../sources/test-source';
import { FULL_RETRY_AFTER, refusalWhenFull } from '../limits/d1-size';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { documentOf, mergeAndValidate } from './merge-patch';
import { conflict, describe, invalidRequest, jsonObjectSchema, notFound, validateJson } from './validate';

export const sourcesApp = new Hono<ApiEnv>();

const SOURCE = 'The source';
const RUNS_SHOWN = 50;

const toRun = (r: ImportRunRow): ImportRun => importRunSchema.parse({ ...r, counts: JSON.parse(r.counts) });

sourcesApp.get(ROUTES.listSources.path, async (c) => c.json({ items: await listSources(c.env) }));

sourcesApp.post(ROUTES.createSource.path, validateJson(ROUTES.createSource.body), async (c) => {
  const source = await createSource(c.env, c.req.valid('json'));
  return c.json(source, 201, { location: `${new URL(c.req.url).origin}/api/v1/sources/${source.id}` });
});

sourcesApp.get(ROUTES.getSource.path, async (c) => {
  const source = await getSource(c.env, c.req.param('id'));
  return source ? c.json(source) : notFound(c, SOURCE);
});

/** RFC 7396 merge patch: `{"settings":{"onDeleted":"delete"}}` keeps the schedule and the rest. */
sourcesApp.patch(ROUTES.updateSource.path, validateJson(jsonObjectSchema), async (c) => {
  const saved = await getSource(c.env, c.req.param('id'));
  if (!saved) return notFound(c, SOURCE);
  const merged = mergeAndValidate(ROUTES.updateSource.body, documentOf(ROUTES.updateSource.body, saved, ['credentials']), c.req.valid('json'));
  if (!merged.ok) return invalidRequest(c, describe('request body', merged.issues), merged.issues);
  const source = await updateSource(c.env, c.req.param('id'), merged.value);
  return source ? c.json(source) : notFound(c, SOURCE);
});

sourcesApp.delete(ROUTES.deleteSource.path, async (c) => ((await deleteSource(c.env, c.req.param('id'))) ? c.body(null, 204) : notFound(c, SOURCE)));

sourcesApp.post(ROUTES.testSource.path, validateJson(ROUTES.testSource.body), async (c) => {
  const result = await testSource(c.env, c.req.param('id'));
  return result ? c.json(result) : notFound(c, SOURCE);
});

/** Runs (or continues) an import now, within one invocation's budget; the work queue (or else the cron) continues it. */
sourcesApp.post(ROUTES.runSource.path, validateJson(ROUTES.runSource.body), async (c) => {
  const id = c.req.param('id');
  const source = await getSource(c.env, id);
  if (!source) return notFound(c, SOURCE);
  if (source.status === 'paused') return conflict(c, `The source is paused: ${source.pausedReason ?? 'by an admin'}. Resume it first (PATCH status "active").`);
  // One invocation, one budget: the dispatch after the import gets what the import left.
  const budget = createBudget(c.env, 'http');
  let summary;
  try {
    // runImports records a run's own faults in its summary; this catches what is left (D1 down)
    [summary] = await runImports(c.env, { budget, sourceIds: [id], force: source.running ? undefined : c.req.valid('json').kind });
  } catch (err) {
    console.error(JSON.stringify({ event: 'run_now_failed', sourceId: id, error: String(err) }));
    return c.json(
      { error: 'import_failed', message: `The import could not run: ${err instanceof Error ? err.message : String(err)}. Try again; the cron retries it.` },
      503,
    );
  }
  if (!summary) return conflict(c, 'Nothing to run.');
  dispatchAutomaticAfter(c.env, c.executionCtx, budget);
  // With a work queue the import goes on page after page in consumer invocations, not at the next cron.
  const queue = workQueueOf(c.env);
  if (queue && summary.status === 'running')
    c.executionCtx.waitUntil(
      enqueueWork(queue, [sourceMessage(id)]).catch((err) => console.error(JSON.stringify({ event: 'enqueue_failed', sourceId: id, error: String(err) }))),
    );
  return c.json(summary);
});

sourcesApp.get(ROUTES.listImportRuns.path, async (c) => {
  const id = c.req.param('id');
  if (!(await getSource(c.env, id))) return notFound(c, SOURCE);
  return c.json({ items: (await selectImportRuns(c.env.DB, id, RUNS_SHOWN)).map(toRun) });
});

sourcesApp.post(ROUTES.approveImportRun.path, validateJson(ROUTES.approveImportRun.body), async (c) => {
  const result = await approveHeldRun(c.env, c.req.param('id'), c.req.param('runId'), createBudget(c.env, 'http'));
  if (result === 'not_found') return notFound(c, 'The run');
  if (result === 'not_held') return conflict(c, 'The run is not held.');
  if (result === 'stale') return conflict(c, 'A newer reconciliation has run (or is running) since: approve the newest held run instead.');
  return c.json(result);
});

/** The extension's "import this user now": the directory user and what the import changed. */
sourcesApp.post(ROUTES.importSourceUser.path, validateJson(ROUTES.importSourceUser.body), async (c) => {
  const uid = c.req.param('uid');
  // One account is a write like an IdP's: refused in words while the database is nearly full.
  const refused = refusalWhenFull(c.env.RELAY_LIMITS);
  if (refused) return c.json({ error: 'database_full', message: refused }, 507, { 'retry-after': FULL_RETRY_AFTER });
  let result;
  try {
    result = await importOne(c.env, c.req.param('id'), uid);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    return c.json({ error: 'source_failed', message: err.message }, 502);
  }
  if (!result) return notFound(c, SOURCE);
  const { outcome } = result;
  if (outcome.outcome !== 'unchanged' && outcome.outcome !== 'skipped') dispatchAutomaticAfter(c.env, c.executionCtx);
  let user = null;
  if (outcome.userId) {
    const { found } = await lookupUsers(c.env.DB, { ids: [outcome.userId] });
    const hit = found.ids.get(outcome.userId);
    if (hit) {
      const { links: _, ...summary } = hit;
      user = summary;
    }
  }
  return c.json({ outcome: outcome.outcome, user, changed: outcome.changed, detail: outcome.detail });
});
