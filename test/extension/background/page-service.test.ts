/**
 * The background's page service against a real relay pair over HTTP (no browser): how page
 * rows resolve to relay users, provisioning with its stored trace, and named relay errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageService, type TraceStore } from '../../../extension/src/background/page-service';
import type { Trace } from '../../../extension/src/lib/page-messages';
import { createRelayClient, RelayError } from '../../../extension/src/lib/relay-client';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site.ts';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays.ts';

const SITE = 'https://cms.example.test';

function memoryTraces(): TraceStore & { all: Map<string, Trace> } {
  const all = new Map<string, Trace>();
  return { all, get: async (id) => all.get(id) ?? null, put: async (id, t) => void all.set(id, t) };
}

describe('page service (background) against relay A and relay B', () => {
  let relays: RelayPair;
  let junk: FixtureSite;
  let adaId: string;

  beforeAll(async () => {
    [relays, junk] = await Promise.all([
      startRelayPair(),
      startFixtureSite({ '/api/v1/users/lookup': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"targets":"nope"}') }),
    ]);
    adaId = await createScimUser(relays.a, 'ada.lovelace');
  });
  afterAll(async () => {
    await Promise.all([relays?.close(), junk?.close()]);
  });

  const service = (token = RELAY_A_TOKEN, url = relays.a.url, traces = memoryTraces()) =>
    createPageService({ client: createRelayClient({ relayUrl: url, token, fetch }), traces });

  it('resolves a row by the name the page shows when the site is no source of the relay, and says so', async () => {
    const view = await service().lookupPage(SITE, ['7', '8'], { '7': { userName: 'ada.lovelace' }, '8': { userName: 'nobody.here' } });
    expect(view.users['7']).toMatchObject({ userId: adaId, userName: 'ada.lovelace', matchedBy: 'userName' });
    expect(view.users['7']?.links.map((l) => [l.targetName, l.state])).toEqual([['Relay B', 'never']]);
    expect(view.users['8']).toBeNull();
    expect(view.targets.map((t) => t.name)).toEqual(['Relay B']);
  });

  it('resolves by email when the page shows one (WordPress lists do)', async () => {
    const view = await service().lookupPage(SITE, ['7'], { '7': { email: 'ada.lovelace@example.test' } });
    expect(view.users['7']).toMatchObject({ userId: adaId, matchedBy: 'email' });
  });

  it('provisions a row to relay B and keeps the step trace for the user panel', async () => {
    const traces = memoryTraces();
    const result = await service(RELAY_A_TOKEN, relays.a.url, traces).provision(SITE, ['7'], { '7': { userName: 'ada.lovelace' } });
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatchObject({ uid: '7', ok: true, userId: adaId, error: null });
    expect(result.outcomes[0]?.results[0]).toMatchObject({ targetName: 'Relay B', ok: true, action: 'create' });
    expect((await findScimUser(relays.b, 'ada.lovelace'))?.userName).toBe('ada.lovelace');
    expect(traces.all.get(adaId)?.results[0]?.steps.map((s) => s.step)).toContain('action');
    const status = await service(RELAY_A_TOKEN, relays.a.url, traces).userStatus(SITE, '7', { userName: 'ada.lovelace' });
    expect(status.links[0]?.state).toBe('in_sync');
    expect(status.events.length).toBeGreaterThan(0);
    expect(status.lastTrace?.results[0]?.action).toBe('create');
  });

  it('refuses to provision a row the relay does not know on a site that is no source, with the reason', async () => {
    const result = await service().provision(SITE, ['9'], { '9': { userName: 'nobody.here' } });
    expect(result.outcomes[0]).toMatchObject({ ok: false, userId: null });
    expect(result.outcomes[0]?.error).toMatch(/not one of its sources/);
  });

  it('answers a save on a site that is no source with "not_source", importing nothing', async () => {
    await expect(service().userSaved(SITE, '7')).resolves.toEqual({ ok: true, outcome: 'not_source', result: null });
  });

  it('sets and clears a row’s override of a target’s scope for the user the uid resolves to', async () => {
    const overrides = async () => (await relays.a.api('GET', `/targets/${relays.targetId}/overrides`)).body.items;
    await expect(service().setOverride(SITE, '7', { userName: 'ada.lovelace' }, relays.targetId, 'never')).resolves.toEqual({ ok: true });
    expect(await overrides()).toMatchObject([{ userId: adaId, userName: 'ada.lovelace', override: 'never' }]);
    await expect(service().setOverride(SITE, '7', { userName: 'ada.lovelace' }, relays.targetId, null)).resolves.toEqual({ ok: true });
    expect(await overrides()).toEqual([]);
  });

  it('sets no override for a row the relay does not know', async () => {
    await expect(service().setOverride(SITE, '9', { userName: 'nobody.here' }, relays.targetId, 'always')).resolves.toMatchObject({
      ok: false,
      code: 'not_found',
    });
  });

  it('names relay failures: a refused token, a relay that is down, an answer that is not the admin API', async () => {
    await expect(service('wrong-token-0123456789').lookupPage(SITE, ['7'], {})).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(service(RELAY_A_TOKEN, 'http://127.0.0.1:9').lookupPage(SITE, ['7'], {})).rejects.toMatchObject({ code: 'unreachable' });
    const bad = service(RELAY_A_TOKEN, junk.origin).lookupPage(SITE, ['7'], {});
    await expect(bad).rejects.toBeInstanceOf(RelayError);
    await expect(bad).rejects.toMatchObject({ code: 'bad_response' });
  });
});
