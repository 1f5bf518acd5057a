/** A fixture page as a DOM (linkedom) and the location it was served from. */
import { parseHTML } from 'linkedom';
import type { PageLocation } from '../../../extension/src/adapters/page-adapter';
import { fixture } from '../support/fixture-site';

export function parsePage(name: string, url: string): { document: Document; location: PageLocation } {
  const { document } = parseHTML(fixture(name));
  const u = new URL(url);
  return { document: document as unknown as Document, location: { origin: u.origin, pathname: u.pathname, search: u.search } };
}
