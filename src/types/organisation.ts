// Organisations of the CRM (Insightly ids): reporting-unified `crm` messages.
import { f, type ResourceType } from './type.ts';

export const organisation: ResourceType = {
  name: 'organisation',
  mode: 'state',
  key: [f.string('id')],
  // An organisation's name is public, unlike a person's.
  fields: [f.string('name')],
  readers: {
    crm: (o) => ({ id: o.id, name: o.name }),
  },
};
