import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '../../contract/api-views.js';

export const REQUIRED_ROLE = 'latchkey:required-role';

/** Restricts a signed-in route to one role (403 `forbidden` for anyone else). */
export const RequireRole = (role: UserRole): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);
