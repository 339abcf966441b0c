// `crm`: `data.organisations` (`{id, name}`) and `data.contacts` (`{id, first_name, last_name,
// email: [...], username, organisations: [organisation id, ...]}`), with Insightly ids.
import { contact } from '../../../types/contact.ts';
import { organisation } from '../../../types/organisation.ts';
import { unread } from './nested.ts';
import { type EnvelopeSchema, listAt } from './schema.ts';

const LISTS = { organisations: organisation, contacts: contact };

/** One message is the whole CRM: complete snapshots of its organisations and its contacts. */
export const crm: EnvelopeSchema = (data) => {
  const lists = Object.entries(LISTS).flatMap(([key, type]) => listAt(data, key, type, 'crm'));
  return lists.length ? lists : [unread(organisation, 'crm messages without organisations or contacts')];
};
