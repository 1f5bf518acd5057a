/**
 * Drupal's page settings, read from the JSON it embeds in every page. A content script lives in an
 * isolated world and cannot read `window.drupalSettings`, but it can parse the tag (fixtures
 * README §1.0). `path.currentPath` is the internal system path (`user/5/edit`), never an alias,
 * so it identifies the page on aliased, sub-directory and multilingual sites alike.
 */
import { z } from 'zod';

export const drupalSettingsSchema = z.object({
  path: z.object({
    baseUrl: z.string().startsWith('/'),
    pathPrefix: z.string().default(''),
    currentPath: z.string(),
    currentPathIsAdmin: z.boolean().optional(),
  }),
  ajaxPageState: z.object({ theme: z.string().optional() }).optional(),
  gin: z.unknown().optional(),
});
export type DrupalSettings = z.infer<typeof drupalSettingsSchema>;

const SELECTOR = 'script[type="application/json"][data-drupal-selector="drupal-settings-json"]';

/** The settings, or null on a page that is not Drupal's (or whose settings do not parse). */
export function readDrupalSettings(doc: Document): DrupalSettings | null {
  const tag = doc.querySelector(SELECTOR);
  if (!tag?.textContent) return null;
  let json: unknown;
  try {
    json = JSON.parse(tag.textContent);
  } catch {
    return null;
  }
  const parsed = drupalSettingsSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The site's base URL: origin + `path.baseUrl` without its trailing slash (`http://x.test` or `http://x.test/drupal`). */
export function drupalSite(origin: string, settings: DrupalSettings): string {
  return `${origin}${settings.path.baseUrl}`.replace(/\/+$/, '');
}

/** The theme name: Gin marks itself on <body> and in drupalSettings.gin even where ajaxPageState is absent. */
export function drupalTheme(doc: Document, settings: DrupalSettings): string {
  const theme = settings.ajaxPageState?.theme;
  if (theme) return theme;
  if (settings.gin !== undefined || doc.body?.hasAttribute('data-gin-accent')) return 'gin';
  return 'unknown';
}
