// Who belongs to which project: Keystone v3 role assignments, reporting-unified `keystone` tenant users.
import { f, objectAt, type ResourceType } from './type.ts';

export const membership: ResourceType = {
  name: 'membership',
  mode: 'state',
  key: [f.string('tenant_id'), f.string('user_id')],
  fields: [],
  readers: {
    openstack: (a) => {
      const project = objectAt(objectAt(a.scope)?.project)?.id;
      const user = objectAt(a.user)?.id;
      // Domain-scoped or group assignments are not project memberships.
      if (project === undefined || user === undefined) return null;
      return { tenant_id: project, user_id: user };
    },
  },
};
