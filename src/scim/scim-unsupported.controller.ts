import { All, Controller, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import { ScimException } from './wire/scim-exception.js';

/**
 * Endpoints of RFC 7644 this service provider does not implement answer 501 as a SCIM error
 * (behind the gate, like the rest). Everything else under /scim is a SCIM-formatted 404.
 */
@ApiExcludeController()
@Public()
@UseGuards(ScimAuthGuard)
@Controller('scim/v2/:tenant')
export class ScimUnsupportedController {
  @All('Bulk')
  bulk(): never {
    throw new ScimException(501, undefined, 'Bulk operations are not supported (ServiceProviderConfig bulk.supported is false)');
  }

  @All('Me')
  me(): never {
    throw new ScimException(501, undefined, '/Me is not supported: SCIM clients here are identity providers, not users');
  }
}
