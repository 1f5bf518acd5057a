import { z } from 'zod';
import { browser } from 'wxt/browser';

// Messages between extension pages and the background. They are parsed on arrival in the
// background, so a malformed message is refused before any handler runs.

export const relayMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('relay:ping') }),
  z.object({ type: z.literal('relay:get-settings') }),
  z.object({
    type: z.literal('relay:save-settings'),
    relayUrl: z.string(),
    // An empty token keeps the one already saved, so the options page never needs to read it back.
    relayToken: z.string(),
  }),
]);
export type RelayMessage = z.infer<typeof relayMessageSchema>;

export const pingResultSchema = z.object({
  ok: z.boolean(),
  status: z.number().int().optional(),
  error: z.string().optional(),
});
export type PingResult = z.infer<typeof pingResultSchema>;

export const relaySettingsViewSchema = z.object({
  relayUrl: z.string(),
  hasToken: z.boolean(),
});
export type RelaySettingsView = z.infer<typeof relaySettingsViewSchema>;

export const saveResultSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);
export type SaveResult = z.infer<typeof saveResultSchema>;

/** What the background answers to each message type. */
export interface RelayResponses {
  'relay:ping': PingResult;
  'relay:get-settings': RelaySettingsView;
  'relay:save-settings': SaveResult;
}

const responseSchemas: { [K in keyof RelayResponses]: z.ZodType<RelayResponses[K]> } = {
  'relay:ping': pingResultSchema,
  'relay:get-settings': relaySettingsViewSchema,
  'relay:save-settings': saveResultSchema,
};

/** Sends a message to the background and parses its answer. */
export async function sendRelayMessage<K extends RelayMessage['type']>(message: Extract<RelayMessage, { type: K }>): Promise<RelayResponses[K]> {
  const response: unknown = await browser.runtime.sendMessage(message);
  const schema = responseSchemas[message.type];
  return schema.parse(response);
}

// Content scripts ↔ background, and the popup's `page:current-user` question to a tab.
export * from './page-messages';
