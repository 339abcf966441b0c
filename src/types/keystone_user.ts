// Keystone v3 users and v2 users (reporting-unified `keystone` users).
import { f, type ResourceType } from './type.ts';

export const keystoneUser: ResourceType = {
  name: 'keystone_user',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('domain_id'),
    f.bool('enabled'),
    f.string('default_project_id'),
    f.string('email_domain'),
    f.string('name', { private: true }),
    f.string('email', { private: true }),
  ],
  readers: {
    openstack: (u) => {
      const email = typeof u.email === 'string' ? firstAddress(u.email) : u.email;
      return {
        id: u.id,
        domain_id: u.domain_id,
        enabled: u.enabled,
        default_project_id: u.default_project_id ?? u.tenantId,
        email_domain: typeof email === 'string' ? emailDomain(email) : undefined,
        name: u.name,
        email,
      };
    },
  },
};

/** Some directories hold several addresses in one field ("a@x.org;b@y.org"): the first one counts. */
function firstAddress(text: string): string {
  return text.split(/[;,\s]+/).find((part) => part.length > 0) ?? '';
}

/** The organisation part of an address, lower-cased; the only e-mail detail stored by default. */
function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at >= 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : undefined;
}
