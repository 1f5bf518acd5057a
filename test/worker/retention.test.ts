/**
 * Retention (README "Retention"): the cron prunes, a slice at a time, the change log every
 * target has planned, the audit log and finished runs past their retention — and nothing a
 * target, a held import or the console still needs. Real D1 in workerd.
 */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditRetentionDays, DEFAULT_AUDIT_DAYS, pruneHistory } from '../../worker/src/db/retention';
import { runCron } from '../support/e2e';
import { createTarget } from '../helpers/api';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

async function addChange(at: string): Promise<number> {
  const row = await env.DB.prepare("INSERT INTO changes (resource_type, resource_id, op, version, at) VALUES ('User', ?, 'update', 2, ?) RETURNING seq")
    .bind(crypto.randomUUID(), at)
    .first<{ seq: number }>();
  return row!.seq;
}
const seqs = async () => (await env.DB.prepare('SELECT seq FROM changes ORDER BY seq').all<{ seq: number }>()).results.map((r) => r.seq);

async function addAudit(at: string): Promise<number> {
  const row = await env.DB.prepare("INSERT INTO audit_events (at, target_id, operation, outcome) VALUES (?, 't', 'create', 'ok') RETURNING id")
    .bind(at)
    .first<{ id: number }>();
  return row!.id;
}

async function addRun(id: string, targetId: string, startedAt: string, finished: boolean) {
  await env.DB.prepare("INSERT INTO runs (id, target_id, mode, started_at, finished_at, status) VALUES (?, ?, 'scheduled', ?, ?, ?)")
    .bind(id, targetId, startedAt, finished ? startedAt : null, finished ? 'done' : 'running')
    .run();
}

async function addImportRun(id: string, sourceId: string, startedAt: string, status: string) {
  await env.DB.prepare("INSERT INTO import_runs (id, source_id, kind, started_at, finished_at, status) VALUES (?, ?, 'full', ?, ?, ?)")
    .bind(id, sourceId, startedAt, status === 'running' ? null : startedAt, status)
    .run();
}
const ids = async (table: string) => (await env.DB.prepare(`SELECT id FROM ${table} ORDER BY id`).all<{ id: string }>()).results.map((r) => r.id);

describe('retention', () => {
  beforeEach(async () => {
    await env.DB.batch(['changes', 'targets', 'audit_events', 'runs', 'import_runs'].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
  });

  it('prunes changes below every target’s watermark and older than a week, never the feed’s head', async () => {
    const old = [await addChange(daysAgo(30)), await addChange(daysAgo(30)), await addChange(daysAgo(30)), await addChange(daysAgo(30))];
    const recent = await addChange(daysAgo(1));
    const paused = await createTarget('Paused');
    const current = await createTarget('Current');
    // The paused target has planned the first two changes only; the other one everything.
    await env.DB.prepare('UPDATE targets SET watermark = ? WHERE id = ?').bind(old[1], paused.id).run();
    await env.DB.prepare('UPDATE targets SET watermark = ? WHERE id = ?').bind(recent, current.id).run();

    expect((await pruneHistory(env.DB, NOW, 90)).changes).toBe(2);
    expect(await seqs()).toEqual([old[2], old[3], recent]);

    // Once the paused target catches up, the older changes go; the recent one is kept a week.
    await env.DB.prepare('UPDATE targets SET watermark = ? WHERE id = ?').bind(recent, paused.id).run();
    expect((await pruneHistory(env.DB, NOW, 90)).changes).toBe(2);
    expect(await seqs()).toEqual([recent]);
  });

  it('keeps the newest change however old, so the feed’s head is never lost', async () => {
    const a = await addChange(daysAgo(40));
    const b = await addChange(daysAgo(40));
    expect((await pruneHistory(env.DB, NOW, 90)).changes).toBe(1);
    expect(await seqs()).toEqual([b]);
    expect(a).toBeLessThan(b);
  });

  it('prunes audit events older than the retention, a slice of the oldest at a time', async () => {
    const old = [await addAudit(daysAgo(120)), await addAudit(daysAgo(100)), await addAudit(daysAgo(95))];
    const kept = [await addAudit(daysAgo(10)), await addAudit(daysAgo(0))];
    expect((await pruneHistory(env.DB, NOW, 90, 2)).auditEvents).toBe(2);
    expect((await env.DB.prepare('SELECT id FROM audit_events ORDER BY id').all<{ id: number }>()).results.map((r) => r.id)).toEqual([old[2], ...kept]);
    expect((await pruneHistory(env.DB, NOW, 90, 2)).auditEvents).toBe(1);
    // The oldest slice is now recent: nothing more goes, and nothing recent is scanned for.
    expect((await pruneHistory(env.DB, NOW, 90, 2)).auditEvents).toBe(0);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM audit_events').first<{ n: number }>())!.n).toBe(2);
  });

  it('prunes finished runs past the retention but keeps each target’s newest and any still running', async () => {
    await addRun('r1', 'T', daysAgo(120), true);
    await addRun('r2', 'T', daysAgo(110), true);
    await addRun('r3', 'T', daysAgo(100), false);
    await addRun('r4', 'U', daysAgo(150), true);
    await addRun('r5', 'U', daysAgo(5), true);
    await addRun('r6', 'V', daysAgo(200), true);
    expect((await pruneHistory(env.DB, NOW, 90)).runs).toBe(3);
    expect(await ids('runs')).toEqual(['r3', 'r5', 'r6']);
  });

  it('prunes finished import runs, never a held or stopped one nor a source’s newest', async () => {
    await addImportRun('i1', 'S', daysAgo(130), 'done');
    await addImportRun('i2', 'S', daysAgo(125), 'held');
    await addImportRun('i3', 'S', daysAgo(120), 'failed');
    await addImportRun('i4', 'S', daysAgo(115), 'stopped');
    await addImportRun('i5', 'S', daysAgo(110), 'done');
    await addImportRun('i6', 'S', daysAgo(3), 'done');
    expect((await pruneHistory(env.DB, NOW, 90)).importRuns).toBe(3);
    expect(await ids('import_runs')).toEqual(['i2', 'i4', 'i6']);
  });

  it('reads RELAY_AUDIT_RETENTION_DAYS as whole days of at least one, else the default', () => {
    expect(auditRetentionDays(undefined)).toBe(DEFAULT_AUDIT_DAYS);
    expect(auditRetentionDays('30')).toBe(30);
    for (const bad of ['0', '-3', '1.5', 'ninety', '']) expect(auditRetentionDays(bad)).toBe(DEFAULT_AUDIT_DAYS);
  });

  it('runs in every cron tick', async () => {
    await addAudit(new Date(Date.now() - 200 * 86_400_000).toISOString());
    const recent = await addAudit(new Date().toISOString());
    await runCron();
    expect((await env.DB.prepare('SELECT id FROM audit_events ORDER BY id').all<{ id: number }>()).results.map((r) => r.id)).toEqual([recent]);
  });
});
