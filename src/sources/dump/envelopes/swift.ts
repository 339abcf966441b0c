// `swift` and `swift.usage`: Swift usage per project, `project id -> {bytes, containers, objects,
// quota}` or `null` for a project without an account; at the top level of `data` (`swift`, as the
// eRSA producer sends it) or under `data.swift`.
import { swiftAccount } from '../../../types/swift_account.ts';
import { isObject } from '../../../types/type.ts';
import { unread } from './nested.ts';
import type { EnvelopeSchema } from './schema.ts';

/** The members of `data` that describe the message, not an account. */
const MESSAGE_MEMBERS = new Set(['hostname', 'timestamp', 'query_id', 'snapshot', 'page', 'pages']);

/** One message covers every project of the cloud: a complete snapshot of its accounts. */
export const swift: EnvelopeSchema = (data) => {
  const accounts = isObject(data.swift) ? data.swift : data;
  const nested = accounts !== data;
  const items = Object.entries(accounts)
    .filter(([project, usage]) => (nested || !MESSAGE_MEMBERS.has(project)) && (usage === null || isObject(usage)))
    .map(([project, usage]) => ({ project, usage }));
  // A cloud has projects, with accounts or without (null): a message of neither is not a report.
  if (!items.length) return [unread(swiftAccount, 'swift messages without any project')];
  return [{ type: swiftAccount, shape: 'swift', path: nested ? 'data.swift' : 'data', items }];
};
