/**
 * bench:limits's reconcile after each queue sync: "Reconcile now" on the synced target until its
 * run is done — what limits/cpu.ts's `reconciledUser` is checked against — and the standard's
 * share of a profile taken on its own (isolate-cpu.ts), for the consumer's invocations, which
 * cannot be interleaved with it.
 */
import type { ReconcileState } from '../../shared/src/reconcile.ts';
import { CPU_MS } from '../../worker/src/limits/cpu.ts';
import type { Client } from './client.ts';
import { profiledRequests, profiledSteps } from './isolate-cpu.ts';
import { againstModel, type CpuAgainstModel, type InvocationCpu } from './limits-invocation-cpu.ts';
import { type IsolateCpu, withSqlReplayed } from './limits-measure.ts';

/** A reconcile that finds nothing: what limits/cpu.ts's `reconciledUser` is measured from. */
export interface ReconcileResult {
  /** remote users read and compared */
  users: number;
  /** invocations (POST /reconcile, each until its budget is spent) */
  invocations: number;
  /** relay A's workerd CPU over the run ÷ users (includes the standard's requests and the profiler) */
  cpuMsPerUser: number;
  /** the Worker's CPU per invocation, measured in its isolate, against base + users × reconciledUser */
  workerCpu?: CpuAgainstModel;
  /** of which SQLite (A's statements replayed) ÷ users */
  sqliteMsPerUser: number;
  wallS: number;
}

/**
 * "Reconcile now" on the synced target until its run is done: every remote user is read and
 * compared with what the directory says (nothing drifted, so nothing is repaired). A's process
 * CPU ÷ users compared, and its SQLite share replayed on a copy taken before, as for the sync.
 */
export async function measureReconcile(
  client: Client,
  pid: number | undefined,
  targetId: string,
  persist: string,
  profile: string,
  isolate: IsolateCpu,
): Promise<ReconcileResult> {
  const post = () => client.json<{ state: ReconcileState | null }>({ method: 'POST', path: `/api/v1/targets/${targetId}/reconcile`, body: {}, expect: [200] });
  const finished = (values: { state: ReconcileState | null }[]) => {
    const state = values.at(-1)?.state;
    if (values.length > 10_000) throw new Error(`reconcile did not finish: ${JSON.stringify(state)}`);
    return values.length > 0 && (!state || state.phase === 'done' || state.phase === 'failed');
  };
  // each POST after the standard's pair, under the profiler (isolate-cpu.ts)
  const run = await withSqlReplayed(client, pid, persist, `reconcile-${profile}`, () =>
    profiledSteps(client, isolate.profiler, isolate.burnMs, post, (values) => !finished(values)),
  );
  const { cpuMs, share, values } = run.value;
  const state = values.at(-1)?.state ?? null;
  const invocations = values.length;
  const workerCpu = againstModel(
    cpuMs.map((m, k): InvocationCpu => {
      const compared = (values[k]!.state?.counts.users ?? 0) - (values[k - 1]?.state?.counts.users ?? 0);
      return { measuredMs: m, chargedMs: CPU_MS.base + compared * CPU_MS.reconciledUser, items: compared };
    }),
    share,
  );
  if (state?.phase !== 'done') throw new Error(`reconcile ended ${state?.phase}: ${state?.error}`);
  const users = state.counts.users;
  return {
    users,
    invocations,
    cpuMsPerUser: run.cpuMs / users,
    sqliteMsPerUser: run.sqliteMs / users,
    wallS: run.wallMs / 1000,
    workerCpu,
  };
}

/** The share of the isolate's CPU a profile records now: the standard alone, 30 pairs with a ping between (isolate-cpu.ts). */
export async function shareNow(client: Client, isolate: IsolateCpu): Promise<number> {
  const ping = { method: 'GET', path: '/api/v1/ping', expect: [200] } as const;
  return (
    await profiledRequests(
      client,
      isolate.profiler,
      isolate.burnMs,
      Array.from({ length: 30 }, () => ping),
    )
  ).share;
}
