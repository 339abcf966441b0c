// A `--db` that names a PostgreSQL database (SPEC §2, §10) rather than an SQLite file, and the one
// way to show it: with its password masked, wherever it is printed or stored.

const URL_SCHEME = /^postgres(?:ql)?:\/\//i;

/** `postgres://…` or `postgresql://…`: anything else is an SQLite file path. */
export function isDatabaseUrl(db: string): boolean {
  return URL_SCHEME.test(db);
}

// user:password@ in any postgres URL inside a text (a command line, an error message); up to the
// authority's last @, as a URL parser reads it (an unencoded @ in a password is still the password's).
const PASSWORD_IN_URL = /(postgres(?:ql)?:\/\/[^:@/\s]*):[^/\s]*@/gi;
// password=… in a URL's query string.
const PASSWORD_PARAM = /([?&]password=)[^&\s]*/gi;

/** The text with the password of every PostgreSQL URL in it replaced by `***`. */
export function maskPasswords(text: string): string {
  return text.replace(PASSWORD_IN_URL, '$1:***@').replace(PASSWORD_PARAM, '$1***');
}
