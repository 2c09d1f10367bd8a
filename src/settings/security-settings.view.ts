/** The settings object of CONTRACT section 2: one definition, in src/contract/, for the server and the console. */
export type { SecuritySettingsView } from '../contract/api-views.js';
