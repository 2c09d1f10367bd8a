import type { FuzzTarget } from './index.mjs';
export interface FuzzHelpers {
  generateTestCertificate(options: { type?: 'rsa'; cn?: string; modulusLength?: number }): { certPem: string; keyPem: string };
  // The fake IdP's options (test/utils/fake-idp.ts); declared loosely, the module calls it with its own.
  buildIdpResponse(options: never): Promise<{ xml: string }>;
}
/** The V8 heap flags production starts the service with (package.json "start:prod"). */
export function serviceHeapFlags(): string[];
export function serviceEnv(): Record<string, string>;
export function setUpTarget(options: { base: string; operatorToken: string; helpers: FuzzHelpers; slug?: string }): Promise<FuzzTarget>;
export function presignSaml(helpers: FuzzHelpers, target: FuzzTarget): Promise<string[]>;
