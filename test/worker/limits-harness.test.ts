/**
 * The limits harness (worker/src/limits): an invocation is charged for every D1 query (a batch
 * is one) and every outbound fetch, including the work it leaves to waitUntil, and fails the
 * moment it goes past its profile — as Cloudflare would, where locally nothing stops it.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, inject, it } from 'vitest';
import worker from '../../worker/src/index';
import { LimitExceeded, metered, takeBreaches, takeUsages } from '../../worker/src/limits/meter';
import { budgetFor, LimitsConfigError, parseLimits, PROFILES } from '../../worker/src/limits/profile';
import { TEST_TOKEN } from '../helpers/scim';

const tiny = (over: object) => parseLimits(JSON.stringify({ base: 'free', ...over }));

afterEach(() => {
  takeBreaches();
});

describe('limits profiles', () => {
  it('defaults to the Paid plan and knows the Free one', () => {
    expect(parseLimits(undefined)).toBe(PROFILES.paid);
    expect(parseLimits('free')).toMatchObject({ d1Queries: 50, subrequests: 50, cpuMs: 10, connections: 6 });
  });

  it('takes explicit numbers over a base profile', () => {
    expect(parseLimits('{"base":"paid","cpuMs":300000}')).toMatchObject({ name: 'paid+custom', cpuMs: 300_000, d1Queries: 1_000 });
  });

  it('refuses a profile it cannot read, naming the key', () => {
    expect(() => parseLimits('{"d1Queries":-1}')).toThrow(/d1Queries/);
    expect(() => parseLimits('{"d1Querys":5}')).toThrow(LimitsConfigError);
    expect(() => parseLimits('enterprise')).toThrow(/"free", "paid"/);
  });

  it('keeps a reserve of queries back, and shares the pool on Free', () => {
    expect(budgetFor(PROFILES.free, 'cron')).toMatchObject({ d1Queries: 45, subrequests: 45 });
    expect(budgetFor(PROFILES.paid, 'queue')).toMatchObject({ d1Queries: 995, subrequests: 10_000 });
  });
});

describe('the meter', () => {
  it('charges a batch as one query and its statements apart', async () => {
    const usage = await metered(env, PROFILES.paid, 'http', true, async (e, meter) => {
      await e.DB.prepare('SELECT 1').first();
      await e.DB.batch([e.DB.prepare('SELECT 1'), e.DB.prepare('SELECT 2'), e.DB.prepare('SELECT ?').bind(3)]);
      return meter.usage;
    });
    expect(usage).toMatchObject({ d1Queries: 2, d1Statements: 4, subrequests: 0 });
  });

  it('counts sequential D1 calls as round trips, calls in flight together as one, a session like its binding', async () => {
    const usage = await metered(env, PROFILES.paid, 'http', true, async (e, meter) => {
      await e.DB.prepare('SELECT 1').first();
      await e.DB.batch([e.DB.prepare('SELECT 1'), e.DB.prepare('SELECT 2')]);
      await Promise.all([e.DB.prepare('SELECT 1').first(), e.DB.prepare('SELECT 2').first(), e.DB.prepare('SELECT 3').first()]);
      await e.DB.withSession('first-primary').prepare('SELECT 4').first();
      return meter.usage;
    });
    expect(usage).toMatchObject({ d1Queries: 6, d1Trips: 4, d1TripsToResponse: 4 });
  });

  it('fails the query that goes past the profile', async () => {
    const run = metered(env, tiny({ d1Queries: 2 }), 'cron', true, async (e) => {
      for (let i = 0; i < 3; i++) await e.DB.prepare('SELECT ?').bind(i).first();
    });
    await expect(run).rejects.toBeInstanceOf(LimitExceeded);
    expect(takeBreaches().map((b) => b.limit)).toEqual(['d1Queries']);
  });

  it('counts D1 queries against the subrequest pool where the plan shares it', async () => {
    const limits = tiny({ d1Queries: 10, subrequests: 2 });
    const run = metered(env, limits, 'http', true, async (e) => {
      for (let i = 0; i < 3; i++) await e.DB.prepare('SELECT 1').first();
    });
    await expect(run).rejects.toMatchObject({ limit: 'subrequests' });
  });

  it('charges fetches, and refuses a connection past the profile’s simultaneous ones', async () => {
    const limits = tiny({ subrequests: 20, connections: 2 });
    // A real server (the fake Drupal site): three requests at once, two connections allowed.
    const site = inject('drupalSiteUrl');
    const get = () => fetch(`${site}/`).then((r) => r.arrayBuffer());
    const counted = await metered(env, limits, 'http', true, async (_e, meter) => {
      await get();
      await get();
      return meter.usage.subrequests;
    });
    expect(counted).toBe(2);
    const run = metered(env, limits, 'http', true, async () => Promise.all([get(), get(), get()]));
    await expect(run).rejects.toMatchObject({ limit: 'connections' });
  });
});

describe('the worker under the harness', () => {
  let n = 0;
  // A create: the token check, the uniqueness checks and the write — more than one query.
  const request = () =>
    new Request('http://relay.test/scim/v2/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `limits-${++n}-${Date.now()}` }),
    }) as Request<unknown, IncomingRequestCfProperties>;

  const call = async (limits: string) => {
    takeUsages();
    const ctx = createExecutionContext();
    const res = await worker.fetch(request(), { ...env, RELAY_LIMITS: limits }, ctx);
    await waitOnExecutionContext(ctx);
    return { res, usage: takeUsages() };
  };

  it('answers a SCIM create within the Free profile and says what it spent', async () => {
    const { res, usage } = await call('free');
    expect(res.status).toBe(201);
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ kind: 'http', profile: 'free', subrequests: 0 });
    expect(usage[0]!.d1Queries).toBeGreaterThan(0);
    expect(takeBreaches()).toEqual([]);
  });

  it('records a breach when an invocation needs more than the profile gives', async () => {
    const created = await call('free');
    const id = ((await created.res.json()) as { id: string }).id;
    // A PATCH of a sub-attribute of every element reads the stored user, then writes it under
    // its version: two round trips (most shapes are one batch: scim/one-trip-patch.ts).
    const patch = async (limits: string) => {
      takeUsages();
      const ctx = createExecutionContext();
      const body = JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'emails.display', value: `d${Date.now()}` }],
      });
      const req = new Request(`http://relay.test/scim/v2/Users/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
        body,
      });
      const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, { ...env, RELAY_LIMITS: limits }, ctx);
      await waitOnExecutionContext(ctx);
      return { res, usage: takeUsages() };
    };
    const { res: ok, usage } = await patch('free');
    expect(ok.status).toBe(200);
    const needed = usage[0]!.d1Queries;
    expect(needed).toBeGreaterThan(1);
    const { res } = await patch(JSON.stringify({ base: 'free', d1Queries: needed - 1 }));
    expect(res.status).toBe(500);
    expect(takeBreaches().map((b) => `${b.kind} ${b.limit}`)).toEqual(['http d1Queries']);
  });
});
