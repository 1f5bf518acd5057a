/** The admin API (/api/v1). Errors are JSON with the failing key paths. */
import { Hono } from 'hono';
import { requireScope, type AuthVariables } from '../auth/middleware';
import type { Env } from '../env';

export const apiApp = new Hono<{ Bindings: Env; Variables: AuthVariables }>();

apiApp.use(
  '*',
  requireScope('admin', (c, f) => c.json({ error: f.status === 401 ? 'unauthorized' : 'forbidden', message: f.detail }, f.status)),
);

/** A trivial authenticated route: the benchmarks' baseline, and the extension's connection check. */
apiApp.get('/ping', (c) => c.json({ ok: true, token: c.get('principal').name }));
