/**
 * The work queue (worker/src/queue/, README "Queues") in workerd: real Miniflare queues from
 * wrangler.toml [env.test], relay B and the fault target as real SCIM servers. The pool's env has
 * no WORK_QUEUE (the suite runs the path without Queues); each test binds one in: TEST_WORK_QUEUE
 * is delivered to the worker's own consumer, TEST_SINK_QUEUE to nobody, read through a recorder.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';
import { takeUsages } from '../../worker/src/limits/meter';
import { BUSY_RETRY_SECONDS, consumeWork } from '../../worker/src/queue/consumer';
import { sourceMessage, targetMessage, type WorkMessage, type WorkQueue } from '../../worker/src/queue/messages';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { ops } from '../helpers/operations';
import { BASE, TEST_TOKEN, USER_URN } from '../helpers/scim';
import { budgetWithCpuFor } from '../helpers/invocations';
import { newFaultTarget, relayB, type FaultTargetHandle } from '../support/e2e';
import { onB } from '../support/on-relay-b';
import { drupalSource, newSite, uniq } from '../sources/support';

const handler: ExportedHandler<Env> = worker;
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@queue.test`;

interface Sent {
  body: WorkMessage;
  delaySeconds: number;
}

/** A real producer (the sink nobody consumes) that also notes what it was given. */
function recorder(): { queue: WorkQueue; sent: Sent[] } {
  const sent: Sent[] = [];
  const inner = env.TEST_SINK_QUEUE;
  const queue = {
    send: (body: WorkMessage, o?: QueueSendOptions) => {
      sent.push({ body, delaySeconds: o?.delaySeconds ?? 0 });
      return inner.send(body, o);
    },
    sendBatch: (messages: Iterable<MessageSendRequest<WorkMessage>>, o?: QueueSendBatchOptions) => {
      for (const m of messages) sent.push({ body: m.body, delaySeconds: m.delaySeconds ?? o?.delaySeconds ?? 0 });
      return inner.sendBatch(messages, o);
    },
  } as WorkQueue;
  return { queue, sent };
}

async function automaticTarget(baseUrl: string, token: string): Promise<string> {
  const res = await api('POST', '/targets', {
    name: `queue ${crypto.randomUUID().slice(0, 6)}`,
    baseUrl,
    token,
    modes: { automatic: { enabled: true, operations: ops() } },
    // Only what each test creates: the users earlier tests left in this D1 stay out of it.
    initialSync: false,
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const faultTargetOf = (t: FaultTargetHandle) => automaticTarget(t.scimUrl, t.token);

// Each test's targets only: a write enqueues one message per automatic target, and on the Free
// plan one consumer invocation runs two or three of them; the rest go on through follow-up
// messages, which this file's consumer (the pool's env, without WORK_QUEUE) cannot send.
afterEach(async () => {
  const { results } = await env.DB.prepare('SELECT id FROM targets').all<{ id: string }>();
  for (const t of results) expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
});

/** A SCIM create through the worker's fetch handler with `WORK_QUEUE` bound, waiting for its waitUntil. */
async function createUserWith(queue: WorkQueue | undefined, userName: string) {
  const ctx = createExecutionContext();
  const req = new Request(`${BASE}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: [USER_URN], userName }),
  }) as Request<unknown, IncomingRequestCfProperties>;
  takeUsages();
  const res = await handler.fetch!(req, { ...env, ...(queue ? { WORK_QUEUE: queue } : {}) }, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(201);
  const usage = takeUsages().filter((u) => u.kind === 'http');
  return { user: (await res.json()) as { id: string }, usage };
}

/** Runs the worker's queue handler on one message, as the platform would deliver it. */
async function consume(queueName: string, body: unknown, queue?: WorkQueue, attempts = 1) {
  const id = crypto.randomUUID();
  const batch = createMessageBatch(queueName, [{ id, timestamp: new Date(), attempts, body }]);
  const ctx = createExecutionContext();
  await handler.queue!(batch, { ...env, ...(queue ? { WORK_QUEUE: queue } : {}) }, ctx);
  return { id, result: await getQueueResult(batch, ctx) };
}

describe('a directory change enqueues, it does not dispatch', () => {
  it('a SCIM write sends one message for each automatic target and makes no request to it', async () => {
    const t = newFaultTarget();
    const targetId = await faultTargetOf(t);
    const { queue, sent } = recorder();
    const { usage } = await createUserWith(queue, unique('enqueued'));
    expect(sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId)).toEqual([
      { body: targetMessage(targetId, 'automatic'), delaySeconds: 0 },
    ]);
    expect(usage).toHaveLength(1);
    expect(usage[0]!.subrequests).toBe(0);
    expect(await t.counts()).toEqual({});
  });

  it('without WORK_QUEUE the same write dispatches in its waitUntil, as before', async () => {
    const t = newFaultTarget();
    await faultTargetOf(t);
    const { usage } = await createUserWith(undefined, unique('waituntil'));
    expect(usage[0]!.subrequests).toBeGreaterThan(0);
    expect(Object.keys(await t.counts()).length).toBeGreaterThan(0);
  });
});

describe('the consumer', () => {
  it('drains a target into relay B and acks, with no follow-up when nothing waits', async () => {
    const targetId = await automaticTarget(relayB.scimUrl, relayB.token);
    const { queue, sent } = recorder();
    const userName = unique('drained');
    await createUserWith(queue, userName);
    expect(await onB(userName)).toBeUndefined();
    sent.length = 0;
    const { id, result } = await consume('relay-work', targetMessage(targetId, 'automatic'), queue);
    expect(result.explicitAcks).toEqual([id]);
    expect(result.retryMessages).toEqual([]);
    expect(await onB(userName)).toMatchObject({ userName, active: true });
    expect(sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId)).toEqual([]);
  });

  it('delivered by the real queue: a SCIM write reaches relay B through the consumer', async () => {
    await automaticTarget(relayB.scimUrl, relayB.token);
    const userName = unique('delivered');
    await createUserWith(env.TEST_WORK_QUEUE, userName);
    expect(
      await eventually(
        () => onB(userName),
        (u) => u !== undefined,
        15_000,
      ),
    ).toMatchObject({ userName });
  });

  it('a target answering 429 with Retry-After gets a follow-up message delayed by what it asked', async () => {
    const t = newFaultTarget();
    const targetId = await faultTargetOf(t);
    const { queue, sent } = recorder();
    await createUserWith(queue, unique('retry-after'));
    sent.length = 0;
    await t.setFaults([{ match: { method: 'GET', path: '/scim/v2/Users' }, respond: { status: 429, headers: { 'Retry-After': '120' } } }]);
    const { id, result } = await consume('relay-work', targetMessage(targetId, 'automatic'), queue);
    // Waiting on the target is not a failure: the message is acked, a new one carries the delay.
    expect(result.explicitAcks).toEqual([id]);
    const followUps = sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]!.delaySeconds).toBeGreaterThanOrEqual(110);
    expect(followUps[0]!.delaySeconds).toBeLessThanOrEqual(121);
  });

  it('runs duplicates in one batch once', async () => {
    const t = newFaultTarget();
    const targetId = await faultTargetOf(t);
    await createUserWith(recorder().queue, unique('dup'));
    const message = targetMessage(targetId, 'automatic');
    const batch = createMessageBatch(
      'relay-work',
      [1, 2, 3].map((n) => ({ id: `m${n}`, timestamp: new Date(), attempts: 1, body: message })),
    );
    const ctx = createExecutionContext();
    await handler.queue!(batch, { ...env, WORK_QUEUE: recorder().queue }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2', 'm3']);
    const runs = await api('GET', `/runs?targetId=${targetId}`);
    expect(runs.body.items).toHaveLength(1);
    expect((await t.counts())['POST /scim/v2/Users']).toBe(1);
  });
});

describe('an invocation whose CPU is spent (the cost model, limits/cpu.ts)', () => {
  /** A consumer invocation's budget with CPU left for a run of `rows` rows (a Free one has 6). */
  const runsOf = async (targetId: string) => (await api('GET', `/runs?targetId=${targetId}`)).body.items.length as number;

  it('sends its continuation at once, and the continuations finish the work, each user once', async () => {
    const targetId = await automaticTarget(relayB.scimUrl, relayB.token);
    const { queue, sent } = recorder();
    const names = Array.from({ length: 5 }, (_, i) => unique(`cpu${i}`));
    for (const n of names) await createUserWith(queue, n);
    let message: WorkMessage | undefined = targetMessage(targetId, 'automatic');
    let invocations = 0;
    while (message && invocations < names.length) {
      sent.length = 0;
      const batch = createMessageBatch('relay-work', [{ id: `c${invocations}`, timestamp: new Date(), attempts: 1, body: message }]);
      await consumeWork(batch, { ...env, WORK_QUEUE: queue }, { budget: budgetWithCpuFor(2, 'queue') });
      invocations++;
      const followUps = sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId);
      expect(followUps.map((f) => f.delaySeconds)).toEqual(followUps.length > 0 ? [0] : []);
      message = followUps[0]?.body;
    }
    // Two users an invocation: five take three, and the last one sends no follow-up.
    expect(invocations).toBe(3);
    for (const n of names) expect(await onB(n), n).toMatchObject({ userName: n, active: true });
    expect(await runsOf(targetId)).toBe(3);
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM outbox WHERE target_id = ?').bind(targetId).first<{ n: number }>())!;
    expect(n).toBe(0);
  });

  it('a message later in the batch than the run that spent the CPU is sent again at once, not run', async () => {
    const first = await automaticTarget(relayB.scimUrl, relayB.token);
    const t = newFaultTarget();
    const second = await faultTargetOf(t);
    const { queue, sent } = recorder();
    const userName = unique('cpu-batch');
    await createUserWith(queue, userName);
    sent.length = 0;
    const batch = createMessageBatch(
      'relay-work',
      [first, second].map((id, i) => ({ id: `b${i}`, timestamp: new Date(), attempts: 1, body: targetMessage(id, 'automatic') })),
    );
    const ctx = createExecutionContext();
    await consumeWork(batch, { ...env, WORK_QUEUE: queue }, { budget: budgetWithCpuFor(1, 'queue') });
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['b0', 'b1']);
    expect(await onB(userName)).toMatchObject({ userName });
    // The first run spent the CPU on its one row: it cannot know the outbox is empty, so it goes on too.
    expect(sent).toEqual([
      { body: targetMessage(first, 'automatic'), delaySeconds: 0 },
      { body: targetMessage(second, 'automatic'), delaySeconds: 0 },
    ]);
    expect(await runsOf(second)).toBe(0);
    expect(await t.counts()).toEqual({});
  });
});

describe('one consumer invocation at a time per target', () => {
  it('a second invocation for a target being run defers its message instead of running it alongside', async () => {
    const t = newFaultTarget();
    const targetId = await faultTargetOf(t);
    await createUserWith(recorder().queue, unique('busy'));
    // The first invocation's match waits on the target, holding the run lease meanwhile.
    await t.setFaults([{ match: { method: 'GET', path: '/scim/v2/Users' }, delayMs: 1500 }]);
    const first = consume('relay-work', targetMessage(targetId, 'automatic'), recorder().queue);
    const leased = () => env.DB.prepare('SELECT run_lease_until AS until FROM targets WHERE id = ?').bind(targetId).first<{ until: string | null }>();
    await eventually(leased, (r) => r?.until != null, 5000);

    const { queue, sent } = recorder();
    const second = await consume('relay-work', targetMessage(targetId, 'automatic'), queue);
    expect(second.result.explicitAcks).toEqual([second.id]);
    expect(sent).toEqual([{ body: targetMessage(targetId, 'automatic'), delaySeconds: BUSY_RETRY_SECONDS }]);

    expect((await first).result.explicitAcks).toHaveLength(1);
    expect((await leased())?.until).toBeNull();
    // Only the first invocation started a run.
    expect((await api('GET', `/runs?targetId=${targetId}`)).body.items).toHaveLength(1);
    expect((await t.counts())['POST /scim/v2/Users']).toBe(1);
  });

  it('a message for a target that no longer exists is acked with no follow-up', async () => {
    const { queue, sent } = recorder();
    const { id, result } = await consume('relay-work', targetMessage(crypto.randomUUID(), 'automatic'), queue);
    expect(result.explicitAcks).toEqual([id]);
    expect(sent).toEqual([]);
  });
});

describe('poison messages', () => {
  /** A target whose stored credential no key opens: every run of it crashes. */
  async function crashingTarget(): Promise<string> {
    const targetId = await faultTargetOf(newFaultTarget());
    await createUserWith(recorder().queue, unique('poison'));
    await env.DB.prepare(`UPDATE targets SET token_enc = 'v2.AAAA.AAAA' WHERE id = ?`).bind(targetId).run();
    return targetId;
  }

  it('a crashing run retries its message, and the dead-letter consumer records it for the API', async () => {
    const targetId = await crashingTarget();
    const { id, result } = await consume('relay-work', targetMessage(targetId, 'automatic'), recorder().queue);
    expect(result.retryMessages).toEqual([{ msgId: id }]);
    expect(result.explicitAcks).toEqual([]);

    const dead = await consume('relay-work-dlq', targetMessage(targetId, 'automatic'), undefined, 1);
    expect(dead.result.ackAll).toBe(true);
    const res = await api('GET', `/outbox/dead-letters?targetId=${targetId}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ targetId, operation: 'dead_letter', outcome: 'dead' });
    expect(res.body.items[0].error).toContain('internal error');
  });

  it('through the real queues: a message that keeps crashing lands in the dead-letter queue and is shown', async () => {
    const targetId = await crashingTarget();
    await env.TEST_WORK_QUEUE.send(targetMessage(targetId, 'automatic'));
    const res = await eventually(
      () => api('GET', `/outbox/dead-letters?targetId=${targetId}`),
      (r) => r.body.items.length > 0,
      15_000,
    );
    expect(res.body.items[0]).toMatchObject({ targetId, operation: 'dead_letter' });
    expect(res.body.items[0].error).toMatch(/automatic run of this target kept failing.*internal error/);
  });

  it('an unreadable message is retried, never run, and recorded as such', async () => {
    const { id, result } = await consume('relay-work', { kind: 'nonsense' });
    expect(result.retryMessages).toEqual([{ msgId: id }]);
    const dead = await consume('relay-work-dlq', { kind: 'nonsense' });
    expect(dead.result.ackAll).toBe(true);
    const res = await api('GET', '/outbox/dead-letters?targetId=(unknown)');
    expect(res.body.items[0].error).toMatch(/^An unreadable message/);
  });

  it('GET /outbox/dead-letters answers zod issues with key paths for a bad query', async () => {
    const res = await api('GET', '/outbox/dead-letters?limit=0');
    expect(res.status).toBe(400);
    expect(res.text).toContain('limit');
  });
});

describe('the cron', () => {
  async function cron(queue: WorkQueue | undefined) {
    const ctx = createExecutionContext();
    await handler.scheduled!(createScheduledController({ cron: '* * * * *' }), { ...env, ...(queue ? { WORK_QUEUE: queue } : {}) }, ctx);
    await waitOnExecutionContext(ctx);
  }

  it('with a work queue re-enqueues an automatic target whose message was lost, and drains nothing itself', async () => {
    const t = newFaultTarget();
    const targetId = await faultTargetOf(t);
    // The write's message goes to a queue nobody reads: lost, as far as the target is concerned.
    await createUserWith(recorder().queue, unique('lost'));
    const { queue, sent } = recorder();
    await cron(queue);
    expect(sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId).map((s) => s.body)).toEqual([targetMessage(targetId, 'automatic')]);
    expect(await t.counts()).toEqual({});
  });

  it('without a work queue drains the automatic target itself: the path without Queues converges', async () => {
    const targetId = await automaticTarget(relayB.scimUrl, relayB.token);
    const userName = unique('cron');
    await createUserWith(recorder().queue, userName);
    expect(await onB(userName)).toBeUndefined();
    await cron(undefined);
    expect(await onB(userName)).toMatchObject({ userName });
    const runs = await api('GET', `/runs?targetId=${targetId}`);
    expect(runs.body.items[0]).toMatchObject({ mode: 'automatic', status: 'done' });
  });
});

describe('imports of large sources', () => {
  it('go on page after page through follow-up messages, and the run’s end wakes the automatic targets', async () => {
    const p = uniq('queued');
    const site = await newSite({ adminUser: false, generate: 130, generatePrefix: p });
    const source = await drupalSource(site);
    const targetId = await automaticTarget(relayB.scimUrl, relayB.token);
    const { queue, sent } = recorder();
    // One page's worth of budget for the first two invocations, as consumers that run out
    // mid-import; the third has room for the last page and the full run's sweep.
    const budget = (n: number) => ({ requests: n < 2 ? 12 : 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY });
    let message: unknown = sourceMessage(source.id);
    let invocations = 0;
    while (message && invocations < 10) {
      sent.length = 0;
      const batch = createMessageBatch('relay-work', [{ id: `i${invocations}`, timestamp: new Date(), attempts: 1, body: message }]);
      await consumeWork(batch, { ...env, WORK_QUEUE: queue }, { budget: budget(invocations) });
      invocations++;
      message = sent.find((s) => s.body.kind === 'source')?.body;
      // The run's end wakes the automatic target; until then the cron's safety net does, once a minute.
      const woken = sent.filter((s) => s.body.kind === 'target' && s.body.targetId === targetId).map((s) => s.body);
      expect(woken).toEqual(message ? [] : [targetMessage(targetId, 'automatic')]);
    }
    expect(invocations).toBe(3);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE user_name_lower LIKE ?').bind(`${p}%`).first<{ n: number }>();
    expect(n!.n).toBe(130);
    expect((await api('GET', `/sources/${source.id}`)).body.running).toBe(false);

    // A day later the source is due again and nothing changed there: its run wakes no target
    // (3 queue operations a target a page, on Free's 10,000 a day).
    const later = new Date(Date.now() + 86_400_000);
    message = sourceMessage(source.id);
    for (let i = 0; message && i < 40; i++) {
      sent.length = 0;
      const batch = createMessageBatch('relay-work', [{ id: `again${i}`, timestamp: later, attempts: 1, body: message }]);
      await consumeWork(batch, { ...env, WORK_QUEUE: queue }, { now: () => later });
      expect(sent.filter((s) => s.body.kind === 'target')).toEqual([]);
      message = sent.find((s) => s.body.kind === 'source')?.body;
    }
    const runs = (await api('GET', `/sources/${source.id}/runs`)).body.items;
    expect(runs[0]).toMatchObject({ status: 'done', counts: expect.objectContaining({ unchanged: 130 }) });
  });
});
