/**
 * The overlay mounts its shadow roots `closed`, so neither page scripts nor Playwright's
 * selectors (which pierce open roots only) can reach inside. Tests reach them the way DevTools
 * does: `DOM.describeNode` with `pierce` lists a host's closed root, `DOM.resolveNode` turns it
 * into an object, and `Runtime.callFunctionOn` runs a function with it. That is a debugger's
 * privilege, which no page has. Clicks are real mouse input at the element's position (trusted
 * events, as the admin's are), never `element.click()`.
 */
import type { CDPSession, Page } from 'playwright-core';

/** Runs in the page with `root` the host's closed ShadowRoot; must be self-contained (it is serialised). */
export type InShadow<R, A> = (root: ShadowRoot, host: Element, arg: A) => R;

export interface ShadowProbe {
  /** `fn` on every host matching `hostSelector`, in document order (hosts without a shadow root are skipped). */
  inEach<R, A = undefined>(hostSelector: string, fn: InShadow<R, A>, arg?: A): Promise<R[]>;
  /** The text of each element matching `inner` inside every matching host, host by host. */
  texts(hostSelector: string, inner: string): Promise<string[]>;
  /** A real mouse click on the first element matching `inner` in the first host whose shadow has one. */
  click(hostSelector: string, inner: string): Promise<void>;
  detach(): Promise<void>;
}

interface Remote {
  objectId?: string;
}

export async function probeShadows(page: Page): Promise<ShadowProbe> {
  const cdp: CDPSession = await page.context().newCDPSession(page);

  async function hostsAndRoots(hostSelector: string): Promise<{ host: string; root: string }[]> {
    const { result } = (await cdp.send('Runtime.evaluate', {
      expression: `[...document.querySelectorAll(${JSON.stringify(hostSelector)})]`,
      objectGroup: 'probe',
    })) as { result: Remote };
    const { result: props } = (await cdp.send('Runtime.getProperties', { objectId: result.objectId!, ownProperties: true })) as {
      result: { name: string; value?: Remote }[];
    };
    const hosts = props
      .filter((p) => /^\d+$/.test(p.name))
      .sort((a, b) => Number(a.name) - Number(b.name))
      .map((p) => p.value!.objectId!);
    const out: { host: string; root: string }[] = [];
    for (const host of hosts) {
      const { node } = (await cdp.send('DOM.describeNode', { objectId: host, depth: 1, pierce: true })) as {
        node: { shadowRoots?: { backendNodeId: number }[] };
      };
      const shadow = node.shadowRoots?.[0];
      if (!shadow) continue;
      const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId, objectGroup: 'probe' })) as { object: Remote };
      out.push({ host, root: object.objectId! });
    }
    return out;
  }

  async function inEach<R, A>(hostSelector: string, fn: InShadow<R, A>, arg?: A): Promise<R[]> {
    try {
      const results: R[] = [];
      for (const { host, root } of await hostsAndRoots(hostSelector)) {
        const answer = (await cdp.send('Runtime.callFunctionOn', {
          objectId: root,
          functionDeclaration: `function (host, arg) { return (${fn.toString()})(this, host, arg); }`,
          arguments: [{ objectId: host }, arg === undefined ? {} : { value: arg }],
          returnByValue: true,
          awaitPromise: true,
        })) as { result: { value?: R }; exceptionDetails?: { exception?: { description?: string } } };
        if (answer.exceptionDetails) throw new Error(`in shadow root of ${hostSelector}: ${answer.exceptionDetails.exception?.description ?? 'exception'}`);
        results.push(answer.result.value as R);
      }
      return results;
    } finally {
      await cdp.send('Runtime.releaseObjectGroup', { objectGroup: 'probe' }).catch(() => undefined);
    }
  }

  return {
    inEach,
    async texts(hostSelector, inner) {
      const each = await inEach(hostSelector, (root, _host, sel: string) => [...root.querySelectorAll(sel)].map((e) => e.textContent ?? ''), inner);
      return each.flat();
    },
    async click(hostSelector, inner) {
      const boxes = await inEach(
        hostSelector,
        (root, _host, sel: string) => {
          const el = root.querySelector(sel);
          if (!el) return null;
          el.scrollIntoView({ block: 'center' });
          const r = el.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        },
        inner,
      );
      const box = boxes.find((b) => b !== null);
      if (!box) throw new Error(`no ${inner} inside ${hostSelector}`);
      await page.mouse.click(box.x, box.y);
    },
    detach: () => cdp.detach().catch(() => undefined),
  };
}

/** The chips host in the People row whose user link (Drupal's `a.username`) reads `name`. */
export async function chipsHostOf(page: Page, name: string): Promise<string> {
  const row = page.locator('table.views-table tbody tr', { has: page.locator(`a.username:text-is("${name}")`) });
  const index = await row.evaluate((tr) => [...tr.parentElement!.children].indexOf(tr) + 1);
  return `table.views-table tbody tr:nth-child(${index}) scim-relay-chips`;
}

/** The label of each chip (its own text, not the tooltip inside it) in the hosts matching `hostSelector`. */
export async function chipLabels(shadow: ShadowProbe, hostSelector: string): Promise<(string | undefined)[]> {
  const each = await shadow.inEach(hostSelector, (root) => [...root.querySelectorAll('.chip')].map((e) => e.firstChild?.textContent ?? undefined));
  return each.flat();
}
