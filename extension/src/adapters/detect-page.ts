/** Every adapter the overlay knows, tried in turn: the first that recognises the page wins. */
import { drupalPeopleAdapter } from './drupal-people';
import { drupalUserAdapter } from './drupal-user';
import type { DetectedPage, PageAdapter, PageLocation } from './page-adapter';
import { joomlaUserEditAdapter, joomlaUsersAdapter } from './joomla-users';
import { wordpressUserEditAdapter, wordpressUsersAdapter } from './wordpress-users';

export const PAGE_ADAPTERS: readonly PageAdapter[] = [
  drupalPeopleAdapter,
  drupalUserAdapter,
  wordpressUsersAdapter,
  wordpressUserEditAdapter,
  joomlaUsersAdapter,
  joomlaUserEditAdapter,
];

export function detectPage(doc: Document, location: PageLocation): DetectedPage | null {
  for (const adapter of PAGE_ADAPTERS) {
    const page = adapter.detect(doc, location);
    if (page) return page;
  }
  return null;
}
