import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'latchkey:public';

/**
 * Marks a route as reachable without a session. Routes are closed by default; a public route
 * that needs other credentials (operator token, SCIM token, SAML response) checks them itself.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
