/** Mounts the user panel on a user page and wires its actions and the save hook to the background. */
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { readDrupalUserForm } from '../adapters/drupal-user';
import type { UserPage } from '../adapters/page-adapter';
import { sendPageMessage, type UserHint } from '../lib/page-messages';
import { OVERLAY_CSS } from './overlay-css';
import { markSaved } from './saved-marker';
import { UserPanel, type PanelState, type UserPanelProps } from './user-panel';

export function userHint(page: UserPage): UserHint {
  const { user } = page;
  return { ...(user.nameIsAccountName ? { userName: user.name } : {}), ...(user.mail ? { email: user.mail } : {}) };
}

/** `savedUid`: the uid whose edit form was just saved on this site (saved-marker.ts), if any. */
export async function mountUserOverlay(ctx: ContentScriptContext, page: UserPage, savedUid: string | null): Promise<void> {
  const uid = page.user.uid;
  let state: PanelState = { kind: 'loading' };
  let busy = false;
  let fresh: UserPanelProps['fresh'] = null;
  let saved: UserPanelProps['saved'] = savedUid === uid ? { kind: 'info', text: 'Saved: re-importing and provisioning this user…' } : null;

  const ui = await createShadowRootUi(ctx, { name: 'scim-relay-panel', position: 'inline', anchor: page.panelBefore, append: 'before', css: OVERLAY_CSS, onMount: (c) => c });
  ui.mount();

  const paint = () => {
    ui.shadowHost.setAttribute('data-scim-state', state.kind);
    render(
      <UserPanel displayName={page.user.displayName ?? page.user.name} state={state} busy={busy} fresh={fresh} saved={saved} onProvision={() => void provision()} onRetry={() => void load()} />,
      ui.uiContainer,
    );
  };

  async function load(): Promise<boolean> {
    const answer = await sendPageMessage({ type: 'page:user-status', site: page.site, uid, hint: userHint(page) });
    if (!answer.ok && answer.code === 'site_not_connected') {
      ui.remove();
      return false;
    }
    state = answer.ok ? { kind: 'ready', status: answer } : { kind: 'error', error: answer.error };
    paint();
    return true;
  }

  async function provision(): Promise<void> {
    busy = true;
    paint();
    const answer = await sendPageMessage({ type: 'page:provision', site: page.site, uids: [uid], hints: { [uid]: userHint(page) } });
    busy = false;
    const outcome = answer.ok ? answer.outcomes[0] : undefined;
    fresh = answer.ok ? { results: outcome?.results ?? [], error: outcome?.error ?? null } : { results: [], error: answer.error };
    await load();
  }

  async function afterSave(): Promise<void> {
    const answer = await sendPageMessage({ type: 'page:user-saved', site: page.site, uid });
    if (!answer.ok) saved = { kind: 'error', text: `Saved, but the relay could not be updated: ${answer.error}` };
    else if (answer.outcome === 'not_source') saved = { kind: 'info', text: 'Saved. This site is not a source of the relay, so nothing was re-imported.' };
    else if (answer.result?.ok) saved = { kind: 'ok', text: 'Saved: re-imported and provisioned.' };
    else saved = { kind: 'error', text: `Saved, but provisioning failed: ${answer.result?.error ?? answer.result?.results.filter((r) => !r.ok).map((r) => `${r.targetName}: ${r.error ?? 'failed'}`).join('; ') ?? 'unknown error'}` };
    if (answer.ok && answer.result) fresh = { results: answer.result.results, error: answer.result.error };
    await load();
  }

  paint();
  if (page.form) {
    const form = page.form;
    // Read the form as submitted: only a user whose uid is on the page is marked; the CMS stores it, then redirects.
    ctx.addEventListener(form, 'submit', () => {
      if (page.cms === 'drupal' && !readDrupalUserForm(form, uid, page.user.name)) return;
      markSaved(sessionStorage, page.site, uid);
    });
  }
  if (!(await load())) return;
  if (saved) await afterSave();
}
