import { jest } from '@jest/globals';

// `testTimeout` is one of jest's global options: inside `projects` it is ignored, and every hook
// and test then had jest's 5 s default, which a busy machine (35 sequential scrypt sign-ins, two
// app instances booting in one beforeAll) overruns. Set per project here instead.
jest.setTimeout(30_000);
