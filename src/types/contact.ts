// People of the CRM (Insightly ids) and the organisations they belong to: reporting-unified `crm` messages.
import { f, type ResourceType } from './type.ts';

export const contact: ResourceType = {
  name: 'contact',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.list('organisations'),
    f.string('first_name', { private: true }),
    f.string('last_name', { private: true }),
    f.list('emails', { private: true }),
    f.string('username', { private: true }),
  ],
  readers: {
    crm: (c) => ({
      id: c.id,
      // Organisation ids; a contact of none has `null` or an empty list.
      organisations: c.organisations,
      first_name: c.first_name,
      last_name: c.last_name,
      emails: c.email,
      // The CRM gives `false` or `null` for a contact without a login.
      username: c.username || undefined,
    }),
  },
};
