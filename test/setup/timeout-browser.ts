import { jest } from '@jest/globals';

// See timeout-e2e.ts: per-project timeouts must be set from a setup file.
jest.setTimeout(60_000);
