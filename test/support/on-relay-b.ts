/** Relay B as relay A's SCIM target, for end-to-end tests (see e2e.ts): add it, look a user up on it. */
import { expect } from 'vitest';
import { api } from '../helpers/api';
import { relayB, scimB } from './e2e';

/** Adds relay B as a target of relay A with these modes. */
export async function targetToB(name: string, modes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/targets', { name, baseUrl: relayB.scimUrl, token: relayB.token, modes, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

/** Relay B's user with this userName, or undefined. */
export async function onB(userName: string): Promise<any | undefined> {
  const res = await scimB('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  expect(res.status).toBe(200);
  return res.body.Resources[0];
}
