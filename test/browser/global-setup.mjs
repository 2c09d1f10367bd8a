// Plain ESM (jest's globalSetup ignores moduleNameMapper): the e2e database setup, then the
// console's browser modules and stylesheet compiled into dist/console/public, which the app
// under test serves exactly as production does.
import { buildConsole } from '../../scripts/build-console.mjs';
import e2eGlobalSetup from '../utils/global-setup.mjs';

export default async function browserGlobalSetup() {
  await e2eGlobalSetup();
  buildConsole();
}
