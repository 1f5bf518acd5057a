/**
 * The one Node API the worker uses, enabled by the `nodejs_compat` (or `nodejs_als`) compatibility flag
 * (developers.cloudflare.com/workers/runtime-apis/nodejs/asynclocalstorage/). Declared here so
 * the worker's types stay Workers-only rather than pulling in all of @types/node.
 */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}
