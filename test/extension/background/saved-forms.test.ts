/**
 * The background's note of an admin's form submit, per tab (extension/src/background/saved-forms.ts):
 * what lets the page after a save re-import and provision that user, once.
 */
import { describe, expect, it } from 'vitest';
import { createSavedForms, SAVED_MAX_AGE_MS } from '../../../extension/src/background/saved-forms';

function memoryStore() {
  let value: unknown = {};
  return { get: async () => value, set: async (v: unknown) => void (value = v), poke: (v: unknown) => void (value = v) };
}

describe('saved forms, noted per tab', () => {
  it('hands the submit to the next page of the same tab, site and user, once', async () => {
    const store = memoryStore();
    const forms = createSavedForms(store, () => 1_000);
    await forms.note(7, 'https://cms.test', '2');
    await expect(forms.has(7, 'https://cms.test', '2')).resolves.toBe(true);
    await expect(forms.take(7, 'https://cms.test', '2')).resolves.toBe(true);
    await expect(forms.take(7, 'https://cms.test', '2')).resolves.toBe(false);
  });

  it('ignores another tab, another site, another user, and a stale note', async () => {
    const store = memoryStore();
    let now = 1_000;
    const forms = createSavedForms(store, () => now);
    await forms.note(7, 'https://cms.test', '2');
    await expect(forms.take(8, 'https://cms.test', '2')).resolves.toBe(false);
    await expect(forms.take(7, 'https://other.test', '2')).resolves.toBe(false);
    await expect(forms.take(7, 'https://cms.test', '3')).resolves.toBe(false);
    now += SAVED_MAX_AGE_MS + 1;
    await expect(forms.take(7, 'https://cms.test', '2')).resolves.toBe(false);
  });

  it('treats unreadable storage as no note', async () => {
    const store = memoryStore();
    store.poke({ 7: { site: 'https://cms.test', uid: 'not a uid', at: 'yesterday' } });
    await expect(createSavedForms(store, () => 1_000).take(7, 'https://cms.test', '2')).resolves.toBe(false);
  });
});
