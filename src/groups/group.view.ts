import type { GroupView } from '../contract/api-views.js';
import type { GroupSummary } from './group-licenses.repository.js';

/** The admin API's group object (CONTRACT section 2, Groups; the type is the contract's). */
export function toGroupView(group: GroupSummary): GroupView {
  return {
    id: group.id,
    displayName: group.displayName,
    externalId: group.externalId,
    memberCount: group.memberCount,
    licenses: [...group.licenses],
    source: group.source,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}
