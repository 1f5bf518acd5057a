/**
 * The step trace of the last provisioning per relay user, kept in extension storage: the admin
 * API answers a provision call with its trace but keeps only audit events, and the user panel
 * shows the trace of the last run started from this browser. Capped, oldest dropped.
 */
import { storage } from 'wxt/utils/storage';
import { z } from 'zod';
import { traceSchema, type Trace } from '../lib/page-messages';
import type { TraceStore } from './page-service';

const MAX_TRACES = 100;
const tracesItem = storage.defineItem<Record<string, unknown>>('local:lastTraces', { fallback: {} });
const storedSchema = z.record(z.string(), traceSchema);

export const storageTraceStore: TraceStore = {
  async get(userId: string): Promise<Trace | null> {
    const parsed = storedSchema.safeParse(await tracesItem.getValue());
    return parsed.success ? (parsed.data[userId] ?? null) : null;
  },
  async put(userId: string, trace: Trace): Promise<void> {
    const parsed = storedSchema.safeParse(await tracesItem.getValue());
    const all = parsed.success ? parsed.data : {};
    delete all[userId];
    all[userId] = trace;
    const kept = Object.entries(all).slice(-MAX_TRACES);
    await tracesItem.setValue(Object.fromEntries(kept));
  },
};
