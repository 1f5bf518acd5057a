import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { announceSitesChanged, normalizeSiteOrigin, siteOriginPattern, sitesItem } from '../../lib/sites';
import { StatusLine } from '../ui/status-line';

/**
 * The admin sites the overlay runs on. Adding one asks for host permission for that origin only,
 * from the click; the background then registers the content scripts for it.
 */
export function SitesList() {
  const [sites, setSites] = useState<string[]>([]);
  const [input, setInput] = useState('');
  const [status, setStatus] = useState<{ text: string; ok?: boolean }>({ text: '' });

  useEffect(() => {
    void sitesItem.getValue().then(setSites);
  }, []);

  function onAdd(event: SubmitEvent) {
    event.preventDefault();
    const origin = normalizeSiteOrigin(input);
    if (origin === null) {
      setStatus({ text: 'A site is an http(s) address, e.g. https://cms.example.com.', ok: false });
      return;
    }
    // Permission requests must start inside the user's gesture: before any await.
    const granted = browser.permissions.request({ origins: [siteOriginPattern(origin)] });
    void granted.then(
      async (ok) => {
        if (!ok) {
          setStatus({ text: `Access to ${origin} was not granted.`, ok: false });
          return;
        }
        const next = [...new Set([...(await sitesItem.getValue()), origin])].sort();
        await sitesItem.setValue(next);
        setSites(next);
        setInput('');
        await announceSitesChanged();
        setStatus({ text: `Added ${origin}. Reload its admin pages to see the overlay.`, ok: true });
      },
      () => setStatus({ text: `The browser refused to ask for access to ${origin}.`, ok: false }),
    );
  }

  async function onRemove(origin: string) {
    const next = (await sitesItem.getValue()).filter((s) => s !== origin);
    await sitesItem.setValue(next);
    setSites(next);
    // Keep the permission if another site (another port) of the same host still needs it.
    if (!next.some((s) => siteOriginPattern(s) === siteOriginPattern(origin))) {
      await browser.permissions.remove({ origins: [siteOriginPattern(origin)] }).catch(() => false);
    }
    await announceSitesChanged();
    setStatus({ text: `Removed ${origin}.`, ok: true });
  }

  return (
    <section aria-labelledby="sites-heading">
      <h2 id="sites-heading">Sites</h2>
      <p class="hint">The admin sites (Drupal, WordPress) where the People pages show sync status.</p>
      {sites.length === 0 ? (
        <p>No sites yet.</p>
      ) : (
        <ul class="plain-list">
          {sites.map((s) => (
            <li key={s}>
              <code>{s}</code>{' '}
              <button type="button" onClick={() => void onRemove(s)} aria-label={`Remove ${s}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={onAdd} class="inline-form" noValidate>
        <label for="site-origin">Site address</label>
        <input
          id="site-origin"
          type="url"
          inputMode="url"
          placeholder="https://cms.example.com"
          value={input}
          onInput={(e) => setInput(e.currentTarget.value)}
        />
        <button type="submit">Add site</button>
      </form>
      <StatusLine text={status.text} {...(status.ok === undefined ? {} : { ok: status.ok })} />
    </section>
  );
}
