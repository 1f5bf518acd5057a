/**
 * The overlay on a People list: a bar above the table and chips in every row, all from ONE
 * lookup for the page; kept in step with the table by a MutationObserver (filters, paging and
 * AJAX replace rows), and torn down with the content script's `ctx`.
 *
 * Shadow roots are closed and buttons act on trusted events only (admin-input.ts): page scripts
 * can neither read the chips (emails, link states, errors) nor press Provision. The page's names
 * and emails are sent only after the admin presses "Match by name/email" or Provision.
 */
import { heldWords } from '../lib/held-words';
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import type { ListRow, PeopleListPage } from '../adapters/page-adapter';
import { sendPageMessage, type LookupView, type UserHint } from '../lib/page-messages';
import { ifTrusted } from './admin-input';
import { BulkBar, type TargetAlert } from './bulk-bar';
import { OVERLAY_CSS } from './overlay-css';
import { RowChips, type RowView } from './row-chips';
import { summarise, type Note } from './summarise-outcome';

interface MountedRow {
  row: ListRow;
  ui: ShadowRootContentScriptUi<HTMLElement>;
}

const OWN_TAG = /^SCIM-RELAY-/;

/** The name or email a page shows, for relays that cannot resolve the uid (see page-service.ts). */
export function hintOf(row: ListRow): UserHint {
  const userName = row.data.name ?? (row.data.truncated ? undefined : row.data.displayName);
  return { ...(userName ? { userName } : {}), ...(row.data.mail ? { email: row.data.mail } : {}) };
}

export async function mountPeopleOverlay(ctx: ContentScriptContext, page: PeopleListPage): Promise<void> {
  const mounted = new Map<HTMLTableRowElement, MountedRow>();
  const busy = new Set<string>();
  const notes = new Map<string, Note>();
  let lookup: LookupView | null = null;
  let error: string | null = null;
  let bulkBusy = false;
  let bulkMessage: string | null = null;
  let bar: ShadowRootContentScriptUi<HTMLElement> | null = null;
  let stopped = false;
  // The admin pressed "Match by name/email": lookups from now on send the page's names and emails too.
  let matchByName = false;

  const rows = () => [...mounted.values()].map((m) => m.row);
  const hintsFor = (list: ListRow[]) => Object.fromEntries(list.map((r) => [r.data.uid, hintOf(r)]));
  const canImport = () => (lookup?.site?.sources.length ?? 0) > 0;

  function viewOf(uid: string): RowView {
    if (error) return { kind: 'error', error };
    if (!lookup || !(uid in lookup.users)) return { kind: 'loading' };
    const status = lookup.users[uid];
    return status ? { kind: 'known', status } : { kind: 'unknown', canImport: canImport(), matched: matchByName };
  }

  function siteRole(): string {
    const role = lookup?.site;
    if (!lookup) return error ? 'status unavailable' : 'checking…';
    const how = matchByName ? ' (matched by name/email)' : '';
    if (!role) return `site unknown to this relay${how}`;
    if (role.sources.length > 0) return `source: ${role.sources.map((s) => s.name).join(', ')}`;
    if (role.targets.length > 0) return `target: ${role.targets.map((t) => t.name).join(', ')}${how}`;
    return `not a source or target of this relay${how}`;
  }

  /** What needs the admin on any target: a pause (with its reason), or creations and deletions held for approval. */
  function alerts(): TargetAlert[] {
    return (lookup?.targets ?? []).flatMap((t) => [
      ...(t.status === 'paused'
        ? [
            {
              targetId: t.id,
              action: 'resume' as const,
              text: `“${t.name}” is paused${t.pausedReason ? `: ${t.pausedReason}` : ''}. Changes wait and arrive on resume.`,
            },
          ]
        : []),
      ...(t.held > 0
        ? [{ targetId: t.id, action: 'review' as const, text: `“${t.name}” holds ${heldWords(t.heldCreations, t.held - t.heldCreations)} for approval.` }]
        : []),
    ]);
  }

  async function resume(targetId: string): Promise<void> {
    const answer = await sendPageMessage({ type: 'page:resume-target', site: page.site, targetId });
    bulkMessage = answer.ok ? 'Resumed: the target catches up with what changed meanwhile.' : answer.error;
    await refresh();
  }

  function renderRow({ row, ui }: MountedRow): void {
    const uid = row.data.uid;
    const view = viewOf(uid);
    // The host says only loading / ready / error: whether the relay knows the account stays inside.
    ui.shadowHost.setAttribute('data-scim-state', view.kind === 'loading' || view.kind === 'error' ? view.kind : 'ready');
    render(
      <RowChips
        uid={uid}
        displayName={row.data.displayName}
        view={view}
        busy={busy.has(uid)}
        note={notes.get(uid) ?? null}
        onProvision={ifTrusted(() => void provision([uid]))}
      />,
      ui.uiContainer,
    );
  }

  function renderBar(): void {
    if (!bar) return;
    const selected = rows().filter((r) => r.checkbox?.checked).length;
    render(
      <BulkBar
        rows={mounted.size}
        selected={selected}
        busy={bulkBusy}
        error={error}
        message={bulkMessage}
        siteRole={siteRole()}
        canMatch={lookup !== null && !canImport() && !matchByName && Object.values(lookup.users).some((u) => u === null)}
        onProvisionSelected={ifTrusted(() => void provisionSelected())}
        onMatch={ifTrusted(() => void match())}
        onRetry={ifTrusted(() => void refresh())}
        alerts={alerts()}
        onResume={(targetId) => ifTrusted(() => void resume(targetId))}
        onReview={ifTrusted(() => void sendPageMessage({ type: 'page:open-console', site: page.site }))}
      />,
      bar.uiContainer,
    );
  }

  function renderAll(): void {
    for (const m of mounted.values()) renderRow(m);
    renderBar();
  }

  async function refresh(current: ListRow[] = page.readRows()): Promise<void> {
    const uids = [...new Set(current.map((r) => r.data.uid))];
    if (uids.length === 0) return;
    const answer = await sendPageMessage({ type: 'page:lookup', site: page.site, uids, hints: matchByName ? hintsFor(current) : {} });
    if (ctx.isInvalid) return;
    if (answer.ok) {
      lookup = answer;
      error = null;
    } else if (answer.code === 'site_not_connected') {
      // The scripts run on every port of a granted host; this origin is not one the admin added.
      teardown();
      return;
    } else {
      error = answer.error;
    }
    renderAll();
  }

  async function match(): Promise<void> {
    matchByName = true;
    renderBar();
    await refresh();
  }

  async function provision(uids: string[]): Promise<void> {
    for (const uid of uids) {
      busy.add(uid);
      notes.delete(uid);
    }
    renderAll();
    // Provision is the admin's action: the names and emails of the rows it names may find their users.
    const wanted = new Set(uids);
    const answer = await sendPageMessage({ type: 'page:provision', site: page.site, uids, hints: hintsFor(rows().filter((r) => wanted.has(r.data.uid))) });
    for (const uid of uids) busy.delete(uid);
    if (answer.ok) {
      for (const outcome of answer.outcomes) notes.set(outcome.uid, summarise(outcome));
      const ok = answer.outcomes.filter((o) => o.ok).length;
      bulkMessage = uids.length > 1 ? `${ok} of ${uids.length} provisioned.` : bulkMessage;
    } else {
      for (const uid of uids) notes.set(uid, { kind: 'error', text: answer.error });
      bulkMessage = null;
    }
    await refresh();
  }

  async function provisionSelected(): Promise<void> {
    const uids = rows()
      .filter((r) => r.checkbox?.checked)
      .map((r) => r.data.uid);
    if (uids.length === 0) return;
    bulkBusy = true;
    bulkMessage = `Provisioning ${uids.length}…`;
    renderBar();
    try {
      await provision(uids);
    } finally {
      bulkBusy = false;
      renderBar();
    }
  }

  async function mountRow(row: ListRow): Promise<void> {
    const ui = await createShadowRootUi(ctx, {
      name: 'scim-relay-chips',
      position: 'inline',
      anchor: row.chipAnchor,
      append: 'last',
      css: OVERLAY_CSS,
      mode: 'closed',
      onMount: (container) => container,
    });
    if (stopped) return;
    ui.mount();
    const m = { row, ui };
    mounted.set(row.row, m);
    renderRow(m);
  }

  async function mountBar(): Promise<void> {
    const table = rows()[0]?.row.closest('table');
    if (!table || (bar && bar.shadowHost.isConnected)) return;
    bar?.remove();
    const ui = await createShadowRootUi(ctx, {
      name: 'scim-relay-bar',
      position: 'inline',
      anchor: table,
      append: 'before',
      css: OVERLAY_CSS,
      mode: 'closed',
      onMount: (c) => c,
    });
    if (stopped) return;
    bar = ui;
    bar.mount();
    renderBar();
  }

  /** Re-reads the table: unmounts chips of rows that left, mounts chips for new rows, looks up uids not seen yet. */
  async function sync(): Promise<void> {
    const current = page.readRows();
    // The lookup starts before the chips are mounted: the relay's answer is the slow part.
    const unseen = current.some((r) => !lookup || !(r.data.uid in lookup.users));
    const looking = unseen ? refresh(current) : null;
    const keep = new Set(current.map((r) => r.row));
    for (const [tr, m] of mounted) {
      if (!keep.has(tr) || !tr.isConnected || !m.ui.shadowHost.isConnected) {
        m.ui.remove();
        mounted.delete(tr);
      }
    }
    await Promise.all(current.filter((r) => !mounted.has(r.row)).map(mountRow));
    await mountBar();
    if (looking) await looking;
    else renderAll();
  }

  let observer: MutationObserver | null = null;
  let scheduled = false;
  function teardown(): void {
    stopped = true;
    observer?.disconnect();
    for (const m of mounted.values()) m.ui.remove();
    mounted.clear();
    bar?.remove();
    bar = null;
  }

  const onlyOurs = (records: MutationRecord[]) =>
    records.every((r) => [...r.addedNodes, ...r.removedNodes].every((n) => n instanceof Element && OWN_TAG.test(n.tagName)));

  await sync();
  if (stopped) return;
  observer = new MutationObserver((records) => {
    if (scheduled || onlyOurs(records)) return;
    scheduled = true;
    // One re-read per burst of changes (an AJAX refresh replaces many nodes at once).
    ctx.requestAnimationFrame(() => {
      scheduled = false;
      void sync();
    });
  });
  observer.observe(page.container(), { childList: true, subtree: true });
  // Ticking the page's own bulk checkboxes (or its select-all) changes the "Provision selected" count.
  ctx.addEventListener(document, 'change', () => renderBar());
  ctx.addEventListener(document, 'click', () => ctx.setTimeout(renderBar, 0));
  ctx.onInvalidated(teardown);
}
