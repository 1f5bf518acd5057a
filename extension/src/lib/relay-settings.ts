import { storage } from 'wxt/utils/storage';

// One typed item per setting. Only the background imports this module: the admin token stays
// there, and extension pages reach it through messages (see ./messages.ts).
export const relayUrlItem = storage.defineItem<string>('local:relayUrl', { fallback: '' });
export const relayTokenItem = storage.defineItem<string>('local:relayToken', { fallback: '' });
