/**
 * The target form's PATCH body is a JSON merge patch (RFC 7396): a role-map line the admin
 * removed is sent as null, or the relay would keep it.
 */
import { describe, expect, it } from 'vitest';
import { bodyOf, draftOf } from '../../../extension/src/components/console/target-draft';
import { targetSchema } from '../../../shared/src/targets';

const saved = targetSchema.parse({
  id: 't1',
  name: 'Intranet',
  kind: 'drupal-jsonapi',
  baseUrl: 'https://intranet.example.org',
  hasToken: true,
  matching: ['userName'],
  modes: {},
  mapping: [],
  rateLimitPerSecond: 10,
  concurrency: 4,
  deletionThreshold: 10,
  dryRun: false,
  pushGroups: true,
  status: 'active',
  pausedReason: null,
  capabilities: null,
  options: { roleMap: { Editors: 'content_editor', Admins: 'administrator' } },
  created: '2026-01-01T00:00:00.000Z',
  updated: '2026-01-01T00:00:00.000Z',
});

describe('the target form body', () => {
  it('sends a role-map line the admin removed as null on update', () => {
    const draft = { ...draftOf(saved), roleMap: 'Editors = content_editor\nAuthors = author' };
    expect((bodyOf(draft, false).options as { roleMap: unknown }).roleMap).toEqual({ Editors: 'content_editor', Admins: null, Authors: 'author' });
  });

  it('sends the role map as typed on create', () => {
    const draft = { ...draftOf(saved), roleMap: 'Editors = content_editor' };
    expect((bodyOf(draft, true).options as { roleMap: unknown }).roleMap).toEqual({ Editors: 'content_editor' });
  });
});
