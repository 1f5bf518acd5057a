/**
 * The limits harness in every worker test: the worker runs with RELAY_ENFORCE_LIMITS=1 under the
 * RELAY_LIMITS profile, and a test fails when any invocation it caused went past the profile
 * (even one whose error the worker caught and turned into a response).
 */
import { afterEach, expect } from 'vitest';
import { takeBreaches } from '../worker/src/limits/meter';

afterEach(() => {
  expect(takeBreaches().map((b) => b.message)).toEqual([]);
});
