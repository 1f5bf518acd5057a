/** Secrets stay out of messages where messages are built: URLs lose userinfo and token values. */
import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../../../worker/src/outbound/redact';
import { classifyNetworkError } from '../../../worker/src/provisioning/scim-client/classify';

describe('redactUrl', () => {
  it('drops user:password@ and replaces token-like query values, keeping the rest', () => {
    expect(redactUrl('https://relay:admin@site.example/jsonapi?access_token=abc&page=2')).toBe('https://site.example/jsonapi?access_token=redacted&page=2');
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('redacts every URL inside a runtime error, leaving the words (and "admin" in a path) alone', () => {
    expect(redactUrlsIn('fetch to https://u:p@site.example/admin/config?token=t failed')).toBe(
      'fetch to https://site.example/admin/config?token=redacted failed',
    );
    expect(classifyNetworkError(new Error('connect ECONNRESET https://relay:hunter22@site.example/x'), 1000).message).not.toContain('hunter22');
  });
});
