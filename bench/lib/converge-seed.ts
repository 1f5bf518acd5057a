/**
 * bench:converge's groups: G groups created on relay A by `POST /Groups` with their members in
 * the body, sizes drawn log-uniformly between a minimum and a maximum (20–2,000 by default: many
 * small teams, a few large ones, as directories have), members drawn from the seeded users.
 */
import type { Client } from './client.ts';
import type { SeededUser } from './seed.ts';

export interface SeededGroup {
  id: string;
  displayName: string;
  members: string[];
}

/** Park–Miller: the same groups for the same seed, run after run. */
export function seededRandom(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

export async function seedGroups(
  client: Client,
  users: readonly SeededUser[],
  count: number,
  min: number,
  max: number,
  concurrency: number,
): Promise<{ groups: SeededGroup[]; ms: number; memberships: number }> {
  const random = seededRandom(4242);
  const hi = Math.min(max, users.length);
  const lo = Math.min(min, hi);
  const plans = Array.from({ length: count }, (_, g) => {
    const size = Math.round(lo * (hi / lo) ** random());
    const chosen = new Set<string>();
    while (chosen.size < size) chosen.add(users[Math.floor(random() * users.length)]!.id);
    return { displayName: `Converge group ${String(g + 1).padStart(4, '0')}`, members: [...chosen] };
  });
  const t0 = performance.now();
  const groups: SeededGroup[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plans.length) {
        const plan = plans[next++]!;
        const body = {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: plan.displayName,
          members: plan.members.map((value) => ({ value })),
        };
        const created = await client.json<{ id: string }>({ method: 'POST', path: '/scim/v2/Groups', body, expect: [201] });
        groups.push({ id: created.id, ...plan });
      }
    }),
  );
  return { groups, ms: performance.now() - t0, memberships: plans.reduce((n, p) => n + p.members.length, 0) };
}
