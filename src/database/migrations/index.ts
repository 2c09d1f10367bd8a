import { InitialSchema1795467307773 } from './1795467307773-initial-schema.js';
import { SamlReplay1795480000000 } from './1795480000000-saml-replay.js';
import { ScimPaging1795490000000 } from './1795490000000-scim-paging.js';
import { ScimListTotals1795500000000 } from './1795500000000-scim-list-totals.js';
import { EmailKey1795510000000 } from './1795510000000-email-key.js';
import { AuditCoalescing1795520000000 } from './1795520000000-audit-coalescing.js';
import { Groups1795530000000 } from './1795530000000-groups.js';
import { UserListVersions1795535000000 } from './1795535000000-user-list-versions.js';
import { SamlSpInitiated1795540000000 } from './1795540000000-saml-sp-initiated.js';
import { SamlMetadataUrl1795550000000 } from './1795550000000-saml-metadata-url.js';

/** Every migration, in order. Listed explicitly: no file globbing at run time (ESM, bundling). */
export const MIGRATIONS = [InitialSchema1795467307773, SamlReplay1795480000000, ScimPaging1795490000000, ScimListTotals1795500000000, EmailKey1795510000000, AuditCoalescing1795520000000, Groups1795530000000, UserListVersions1795535000000, SamlSpInitiated1795540000000, SamlMetadataUrl1795550000000];
