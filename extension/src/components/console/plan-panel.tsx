/**
 * "Plan": every operation a target's next run would do, sending nothing (GET /targets/{id}/plan),
 * one row per queued change with the user's name, the action and why. The plan names users by
 * id, so their userNames come from one batched POST /users/lookup.
 */
import { useEffect, useRef } from 'preact/hooks';
import { MAX_LOOKUP_KEYS, lookupResponseSchema, planResponseSchema, type PlanResponse } from '../../../../shared/src/api';
import type { Target } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { ListState } from '../ui/list-state';
import { ListTable } from '../ui/list-table';
import { useLoad } from '../ui/use-load';

type Operation = PlanResponse['operations'][number];

async function loadPlan(target: Target): Promise<{ items: (Operation & { who: string })[] }> {
  // The mode "Run now" runs (its default), so the plan is what that button would do.
  const plan = await callApi(planResponseSchema, 'GET', `/targets/${encodeURIComponent(target.id)}/plan?mode=scheduled`);
  const userIds = [...new Set(plan.operations.filter((o) => o.resourceType === 'User').map((o) => o.resourceId))];
  const names = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += MAX_LOOKUP_KEYS) {
    const found = await callApi(lookupResponseSchema, 'POST', '/users/lookup', { ids: userIds.slice(i, i + MAX_LOOKUP_KEYS) });
    for (const [id, hit] of Object.entries(found.ids)) if (hit) names.set(id, hit.user.userName);
  }
  return {
    items: plan.operations.map((o) => ({
      ...o,
      // A user deleted since the change was queued has no name left: show its id.
      who: o.resourceType === 'User' ? (names.get(o.resourceId) ?? `user ${o.resourceId}`) : `group ${o.resourceId}`,
    })),
  };
}

export function PlanPanel({ target, onClose }: { target: Target; onClose: () => void }) {
  const plan = useLoad(() => loadPlan(target), [target.id]);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from the row's button: move focus here so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), [target.id]);
  const label = `Plan for ${target.name}`;
  const items = plan.data?.items ?? [];

  return (
    <section class="plan" aria-labelledby="plan-heading">
      <div class="section-head">
        <h3 id="plan-heading" tabIndex={-1} ref={heading}>
          {label}
        </h3>
        <button type="button" onClick={plan.reload} disabled={plan.loading}>
          Refresh plan
        </button>
        <button type="button" onClick={onClose}>
          Close plan
        </button>
      </div>
      <p class="hint">What the next run (“Run now”) would send to {target.name}, sending nothing now.</p>
      <ListState list={plan} loadingText="Loading the plan…" empty="Nothing queued: the next run would send nothing." />
      {items.length > 0 && (
        <ListTable label={label} columns={['User', 'Action', 'Detail']}>
          {items.map((o) => (
            <tr key={o.outboxId} data-outbox-id={o.outboxId}>
              <th scope="row">{o.who}</th>
              {/* A protected account's skip says so in the detail ("protected: …", worker protected.ts): name it as its own action. */}
              <td data-action={isProtected(o.detail) ? 'protected' : o.action}>{isProtected(o.detail) ? 'protected (never written)' : o.action}</td>
              <td>{o.detail}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </section>
  );
}

const isProtected = (detail: string) => detail.startsWith('protected: ');
