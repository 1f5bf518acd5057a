/**
 * Mounts the user panel on a user page and wires its actions and the save hook to the background.
 * The panel's shadow root is closed: page scripts cannot read the relay user, its links and audit
 * events, nor reach the buttons (docs/extension.md, "What a page can and cannot do").
 */
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { readDrupalUserForm } from '../adapters/drupal-user';
import { readJoomlaUserForm } from '../adapters/joomla-users';
import type { UserPage } from '../adapters/page-adapter';
import { sendPageMessage, type UserHint } from '../lib/page-messages';
import type { Override } from '../../../shared/src/scope';
import { ifTrusted, onAdminSubmit } from './admin-input';
import { overrideOf, overrideSaid } from './link-state';
import { OVERLAY_CSS } from './overlay-css';
import { UserPanel, type PanelState, type UserPanelProps } from './user-panel';

export function userHint(page: UserPage): UserHint {
  const { user } = page;
  return { ...(user.nameIsAccountName ? { userName: user.name } : {}), ...(user.mail ? { email: user.mail } : {}) };
}

export async function mountUserOverlay(ctx: ContentScriptContext, page: UserPage): Promise<void> {
  const uid = page.user.uid;
  let state: PanelState = { kind: 'loading' };
  let busy = false;
  let fresh: UserPanelProps['fresh'] = null;
  let saved: UserPanelProps['saved'] = null;
  let overrideNote: UserPanelProps['overrideNote'] = null;
  // The page's name and email stand in for the uid only once the admin asked (see page-messages.ts).
  let matchByName = false;

  const ui = await createShadowRootUi(ctx, {
    name: 'scim-relay-panel',
    position: 'inline',
    anchor: page.panelBefore,
    append: 'before',
    css: OVERLAY_CSS,
    mode: 'closed',
    onMount: (c) => c,
  });
  ui.mount();

  const paint = () => {
    // The host says only loading / ready / error: nothing about the user reaches the page's DOM.
    ui.shadowHost.setAttribute('data-scim-state', state.kind);
    render(
      <UserPanel
        displayName={page.user.displayName ?? page.user.name}
        state={state}
        busy={busy}
        fresh={fresh}
        saved={saved}
        matched={matchByName}
        onProvision={ifTrusted(() => void provision())}
        onMatch={ifTrusted(() => void match())}
        onRetry={ifTrusted(() => void load())}
        onOverride={(targetId) => (event) => {
          if (event.isTrusted) void setOverride(targetId, overrideOf((event.currentTarget as HTMLSelectElement).value));
        }}
        overrideNote={overrideNote}
      />,
      ui.uiContainer,
    );
  };

  async function load(): Promise<boolean> {
    const answer = await sendPageMessage({ type: 'page:user-status', site: page.site, uid, hint: matchByName ? userHint(page) : {} });
    if (!answer.ok && answer.code === 'site_not_connected') {
      ui.remove();
      return false;
    }
    state = answer.ok ? { kind: 'ready', status: answer } : { kind: 'error', error: answer.error };
    paint();
    return true;
  }

  async function setOverride(targetId: string, override: Override | null): Promise<void> {
    const status = state.kind === 'ready' ? state.status : null;
    const targetName = status?.links.find((l) => l.targetId === targetId)?.targetName ?? targetId;
    busy = true;
    paint();
    const answer = await sendPageMessage({ type: 'page:set-override', site: page.site, uid, hint: matchByName ? userHint(page) : {}, targetId, override });
    busy = false;
    overrideNote = answer.ok
      ? { kind: 'ok', text: overrideSaid(status?.user?.userName ?? page.user.name, targetName, override) }
      : { kind: 'error', text: answer.error };
    await load();
  }

  async function match(): Promise<void> {
    matchByName = true;
    await load();
  }

  async function provision(): Promise<void> {
    busy = true;
    paint();
    // Provision is the admin's action: on a site that is no source, the page's name and email may find the user.
    const answer = await sendPageMessage({ type: 'page:provision', site: page.site, uids: [uid], hints: { [uid]: userHint(page) } });
    busy = false;
    const outcome = answer.ok ? answer.outcomes[0] : undefined;
    fresh = answer.ok ? { results: outcome?.results ?? [], error: outcome?.error ?? null } : { results: [], error: answer.error };
    await load();
  }

  async function afterSave(): Promise<void> {
    const answer = await sendPageMessage({ type: 'page:user-saved', site: page.site, uid });
    if (answer.ok && answer.outcome === 'no_save') saved = null;
    else if (!answer.ok) saved = { kind: 'error', text: `Saved, but the relay could not be updated: ${answer.error}` };
    else if (answer.outcome === 'not_source') saved = { kind: 'info', text: 'Saved. This site is not a source of the relay, so nothing was re-imported.' };
    else if (answer.result?.ok) saved = { kind: 'ok', text: 'Saved: re-imported and provisioned.' };
    else
      saved = {
        kind: 'error',
        text: `Saved, but provisioning failed: ${
          answer.result?.error ??
          answer.result?.results
            .filter((r) => !r.ok)
            .map((r) => `${r.targetName}: ${r.error ?? 'failed'}`)
            .join('; ') ??
          'unknown error'
        }`,
      };
    if (answer.ok && answer.result) fresh = { results: answer.result.results, error: answer.result.error };
    await load();
  }

  paint();
  if (page.form) {
    const form = page.form;
    // Read the form as submitted: only a user whose uid is on the page is noted; the CMS stores it, then redirects.
    onAdminSubmit(
      ctx,
      form,
      () => {
        if (page.isSave && !page.isSave(form)) return;
        if (page.cms === 'drupal' && !readDrupalUserForm(form, uid, page.user.name)) return;
        // The form must still be this user's: a page script that swapped the id is not a save of it.
        if (page.cms === 'joomla' && readJoomlaUserForm(form)?.uid !== uid) return;
        void sendPageMessage({ type: 'page:user-submitted', site: page.site, uid });
      },
      page.saveControls,
    );
  }
  const [loaded, pending] = await Promise.all([load(), sendPageMessage({ type: 'page:save-pending', site: page.site, uid })]);
  if (!loaded || !pending.ok || !pending.pending) return;
  saved = { kind: 'info', text: 'Saved: re-importing and provisioning this user…' };
  paint();
  await afterSave();
}
