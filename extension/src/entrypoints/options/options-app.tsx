import { useEffect, useState } from 'preact/hooks';
import { ConnectForm } from '../../components/connect/connect-form';
import { SitesList } from '../../components/connect/sites-list';
import { DatabaseBanner } from '../../components/console/database-banner';
import { HeldSection } from '../../components/console/held-section';
import { LogsSection } from '../../components/console/logs-section';
import { OutboxSection } from '../../components/console/outbox-section';
import { SourcesSection } from '../../components/console/sources-section';
import { TargetsSection } from '../../components/console/targets-section';
import { TokensSection } from '../../components/console/tokens-section';
import { UsersSection } from '../../components/console/users-section';

function ConnectPanel() {
  return (
    <>
      <ConnectForm onConnected={() => undefined} />
      <SitesList />
    </>
  );
}

/** Each tab and the panel it shows: the one list the tab bar and the panel both read. */
const TABS = [
  { id: 'connect', label: 'Connect', Panel: ConnectPanel },
  { id: 'targets', label: 'Targets', Panel: TargetsSection },
  { id: 'sources', label: 'Sources', Panel: SourcesSection },
  { id: 'users', label: 'Users', Panel: UsersSection },
  { id: 'outbox', label: 'Outbox', Panel: OutboxSection },
  { id: 'held', label: 'Held', Panel: HeldSection },
  { id: 'logs', label: 'Runs and audit', Panel: LogsSection },
  { id: 'tokens', label: 'Tokens', Panel: TokensSection },
] as const;
type TabId = (typeof TABS)[number]['id'];

const tabFromHash = (): TabId => {
  const id = location.hash.slice(1);
  return TABS.some((t) => t.id === id) ? (id as TabId) : 'connect';
};

/**
 * The relay console: Connect (relay, token, sites) and one tab per part of the relay. The tab is
 * in the URL's hash, so a reload or a link (#outbox) opens the same place.
 */
export function OptionsApp() {
  const [tab, setTab] = useState<TabId>(tabFromHash);

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const Panel = TABS.find((t) => t.id === tab)!.Panel;

  const select = (id: TabId) => {
    history.replaceState(null, '', `#${id}`);
    setTab(id);
  };

  // Arrow keys move between tabs (WAI-ARIA Authoring Practices, "Tabs" pattern).
  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + TABS.length) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    select(TABS[next]!.id);
    document.getElementById(`tab-${TABS[next]!.id}`)?.focus();
  };

  return (
    <div class="console">
      <header>
        <h1>SCIM Relay</h1>
        <nav>
          <div role="tablist" aria-label="Console sections" onKeyDown={onKeyDown}>
            {TABS.map((t) => (
              <button
                key={t.id}
                id={`tab-${t.id}`}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                aria-controls="panel"
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => select(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
        </nav>
      </header>
      <main>
        <DatabaseBanner tab={tab} />
        <div id="panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          <Panel key={tab} />
        </div>
      </main>
    </div>
  );
}
