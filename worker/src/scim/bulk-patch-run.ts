/**
 * PATCHes in a Bulk sharing D1 batches (issue #11 item 5). Each one-trip PATCH is one batch of its
 * own (one-trip-patch.ts); consecutive PATCHes that are independent — different resources, no
 * bulkId references — concatenate into one batch, so a Bulk of 100 Entra ID membership or
 * attribute PATCHes costs one round trip instead of 100. A PATCH of another shape puts its read
 * into that batch and is then applied and written on its own (service.ts `patchInCode`): N+1
 * trips for N of them instead of 2N. A batch is all or nothing: when it fails, its operations run
 * again one at a time and each reports its own status (bulk.ts).
 */
import type { StoredResource } from '../directory/types';
import { etagOf } from './codec';
import { ID_ONLY } from './projection';
import type { Json, JsonObject } from './schema/normalize';
import type { ResourceTypeDef } from './schema/types';
import type { PlannedWrite } from './one-trip-patch';
import { readPatchRequest } from './patch';
import { patchReadStatement, planPatch, written, type ScimContext } from './service';

/** PATCHes written in one D1 batch at most: a handful of statements each, as many as a run of creates (bulk.ts CREATE_RUN). */
const PATCH_RUN = 100;

interface RunnableOperation {
  method: string;
  path: string;
  version?: string;
  bulkId?: string;
  data?: Json;
}

interface PlannedPatch {
  rt: ResourceTypeDef;
  id: string;
  op: RunnableOperation;
  /** the one-trip write, or else the read the engine starts from */
  plan: PlannedWrite | { read: D1PreparedStatement };
}

/** What a run gives each operation: its result, or the row (null: none) it is applied to in code. */
type RunOutcome = { result: JsonObject } | { read: StoredResource | null };

/**
 * The PATCHes from `start` on that can share one batch: PATCHes of different resources with no
 * bulkId reference in their path or data. `target` resolves a path (it throws for a bad one).
 */
export function planPatchRun(
  ctx: ScimContext,
  ops: readonly RunnableOperation[],
  start: number,
  target: (path: string) => { rt: ResourceTypeDef; id?: string },
): PlannedPatch[] {
  const run: PlannedPatch[] = [];
  const seen = new Set<string>();
  for (let i = start; i < ops.length && run.length < PATCH_RUN; i++) {
    const op = ops[i]!;
    if (op.method !== 'PATCH' || `${op.path}${JSON.stringify(op.data ?? null)}`.includes('bulkId:')) break;
    let resolved: { rt: ResourceTypeDef; id?: string };
    try {
      resolved = target(op.path);
    } catch {
      break;
    }
    const { rt, id } = resolved;
    if (!id || seen.has(`${rt.name}/${id}`)) break;
    const cond = op.version ? { ifMatch: op.version } : {};
    const plan = planPatch(ctx, rt, id, readPatchRequest(op.data), cond, ID_ONLY) ?? { read: patchReadStatement(ctx, rt, id, ID_ONLY) };
    seen.add(`${rt.name}/${id}`);
    run.push({ rt, id, op, plan });
  }
  return run;
}

const statementsOf = (plan: PlannedPatch['plan']) => ('read' in plan ? [plan.read] : plan.statements);

const mayRefuse = (plan: PlannedPatch['plan']) => 'mayRefuse' in plan && plan.mayRefuse === true;

/**
 * Runs a planned run as one batch: each operation's outcome, or undefined when the batch failed.
 * One element write refused (`needs_read`) would fail its neighbours too, so a failed run with
 * such writes goes once more with them read first (then applied in code, each alone) instead of
 * every operation running alone.
 */
export async function runPatchRun(ctx: ScimContext, run: readonly PlannedPatch[]): Promise<RunOutcome[] | undefined> {
  const done = await runBatch(ctx, run);
  if (done || !run.some((r) => mayRefuse(r.plan))) return done;
  return runBatch(
    ctx,
    run.map((r) => (mayRefuse(r.plan) ? { ...r, plan: { read: patchReadStatement(ctx, r.rt, r.id, ID_ONLY) } } : r)),
  );
}

async function runBatch(ctx: ScimContext, run: readonly PlannedPatch[]): Promise<RunOutcome[] | undefined> {
  let results: D1Result<StoredResource>[];
  try {
    results = await ctx.db.batch<StoredResource>(run.flatMap((r) => statementsOf(r.plan)));
  } catch {
    return undefined;
  }
  let end = 0;
  const rows = run.map((r) => {
    end += statementsOf(r.plan).length;
    return results[end - 1]!.results[0] ?? null;
  });
  return Promise.all(
    run.map(async ({ rt, op, plan }, k): Promise<RunOutcome> => {
      if ('read' in plan) return { read: rows[k]! };
      const w = await written(ctx, rt, rows[k]!, ID_ONLY);
      return { result: { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location: w.location, version: etagOf(w.version), status: '200' } };
    }),
  );
}
