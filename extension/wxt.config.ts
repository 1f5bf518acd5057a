import { readFileSync } from 'node:fs';
import preact from '@preact/preset-vite';
import { defineConfig, type WxtViteConfig } from 'wxt';

// extension/ has no package.json of its own (one npm package for the repo), so WXT cannot find a
// version there: take the root package's version so the two never drift apart.
const rootPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// @preact/preset-vite is typed against the root's vite 8 (hoisted for vitest 4) while WXT 0.21
// bundles with its own nested vite 7. The preset supports both (peer range 2.x–8.x), so only the
// type identities differ: cast to the plugin type of the vite WXT actually runs.
type WxtVitePlugin = NonNullable<WxtViteConfig['plugins']>[number];

export default defineConfig({
  srcDir: 'src',
  outDir: '.output',
  // Explicit imports only: every module says where `browser`, `storage` and `define*` come from.
  imports: false,
  // WXT targets MV2 for Firefox by default; one MV3 source for both browsers keeps
  // `optional_host_permissions` (an MV3-only key) in the Firefox manifest.
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact() as unknown as WxtVitePlugin],
  }),
  manifest: ({ browser }) => ({
    name: 'SCIM Relay',
    description: 'Sync status on admin People pages, one-click provisioning and the console of a SCIM Relay hub.',
    version: rootPackage.version,
    // scripting: content scripts are registered at run time, only for the sites the admin granted.
    permissions: ['storage', 'scripting'],
    // Asked for at run time, for the one relay origin the admin enters on the options page.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: 'SCIM Relay' },
    // Firefox MV3 wants a stable add-on id (storage keeps to it across reinstalls; AMO signs by it).
    ...(browser === 'firefox' ? { browser_specific_settings: { gecko: { id: 'scim-relay@scim-relay.dev', strict_min_version: '128.0' } } } : {}),
  }),
});
