/**
 * The console's target draft ↔ API body (extension/src/components/console/target-draft.ts): the
 * PATCH body is a JSON merge patch (RFC 7396), so a role-map line the admin removed is sent as
 * null; and the CMS kinds' options as the schemas name them.
 */
import { describe, expect, it } from 'vitest';
import { bodyOf, draftOf, emptyDraft, roleMapOf, roleRowsOf, roleTextOf } from '../../../extension/src/components/console/target-draft';
import type { Target } from '../../../shared/src/targets';
import { savedTarget } from '../support/saved-target';

const saved = savedTarget({
  name: 'Intranet',
  kind: 'drupal-jsonapi',
  baseUrl: 'https://intranet.example.org',
  pushGroups: true,
  options: { roleMap: { Editors: 'content_editor', Admins: 'administrator' } },
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

describe('target draft for CMS kinds', () => {
  it('sends a WordPress target’s options as the schema names them, a user id as a number', () => {
    const d = {
      ...emptyDraft(),
      kind: 'wordpress-rest' as const,
      roleMap: 'Editors = editor',
      wpReassign: ' 7 ',
      wpRestPath: '/?rest_route=' as const,
      wpAllowUserOne: true,
    };
    expect(bodyOf(d, true).options).toEqual({
      restPath: '/?rest_route=',
      roleMap: { Editors: 'editor' },
      defaultRole: 'subscriber',
      reassign: 7,
      allowUserOne: true,
    });
  });

  it('sends a Joomla target’s group ids as numbers, and a word as it is for the API to name', () => {
    const d = { ...emptyDraft(), kind: 'joomla-webservices' as const, roleMap: 'Editors = 4', joomlaDefaultGroups: '2, 3', joomlaSuperUserGroups: '8 x' };
    expect(bodyOf(d, true).options).toEqual({
      apiPath: '/api/index.php',
      roleMap: { Editors: 4 },
      defaultGroups: [2, 3],
      superUserGroups: [8, 'x'],
      allowSuperUsers: false,
    });
  });

  it('reads a saved Joomla target back into the form', () => {
    const saved = {
      ...bodyOf(
        { ...emptyDraft(), name: 'Portal', kind: 'joomla-webservices', baseUrl: 'https://p.example', roleMap: 'Editors = 4', joomlaDefaultGroups: '2, 3' },
        true,
      ),
      id: 't1',
      token: undefined,
    };
    const modes = {
      manual: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: false } },
      automatic: { enabled: false, operations: { create: true, update: true, deactivate: true, delete: false } },
      scheduled: { enabled: false, intervalMinutes: 60, operations: { create: true, update: true, deactivate: true, delete: false } },
    };
    const d = draftOf({ ...saved, modes, rateLimitPerSecond: 10, concurrency: 4, deletionThreshold: 10 } as unknown as Target);
    expect(d).toMatchObject({ kind: 'joomla-webservices', roleMap: 'Editors = 4', joomlaDefaultGroups: '2, 3', joomlaSuperUserGroups: '8' });
  });

  it('keeps a picker row being filled in, but sends no mapping for it', () => {
    const text = roleTextOf([...roleRowsOf('Editors = editor'), ['', '']]);
    expect(roleRowsOf(text)).toEqual([
      ['Editors', 'editor'],
      ['', ''],
    ]);
    expect(roleMapOf(text)).toEqual({ Editors: 'editor' });
  });
});
