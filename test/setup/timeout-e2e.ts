import { jest } from '@jest/globals';

// `testTimeout` is one of jest's global options: inside `projects` it is ignored, and every hook
// and test then had jest's 5 s default, which a busy machine (35 sequential scrypt sign-ins, two
// app instances booting in one beforeAll) overruns. Set per project here instead.
// 60 s: every file's beforeAll boots the application on a cloned database and most sign in (scrypt);
// with two CPU hogs and other test runs beside it that took over 30 s (scim-gate's two SCIM
// tenants). Tests that do more real work than that set their own bound.
jest.setTimeout(60_000);
