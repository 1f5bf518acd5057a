// Callbacks passed to playwright's `evaluate` run inside the extension's service worker or pages,
// where `chrome` is the extension API. They are type-checked here only as far as this declares.
declare const chrome: any;
