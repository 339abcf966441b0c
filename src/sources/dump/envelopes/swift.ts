// `swift` and `swift.usage`: Swift usage per project, `project id -> {bytes, containers, objects,
// quota}` or `null` for a project without an account; at the top level of `data` (`swift`, as the
// eRSA producer sends it) or under `data.swift`.
import { swiftAccount } from '../../../types/swift_account.ts';
import { isObject } from '../../../types/type.ts';
import { MESSAGE_MEMBERS, unread } from './nested.ts';
import type { EnvelopeSchema } from './schema.ts';

/** One message covers every project of the cloud: a complete snapshot of its accounts. */
export const swift: EnvelopeSchema = (data) => {
  const accounts = isObject(data.swift) ? data.swift : data;
  const nested = accounts !== data;
  // An account of the wrong type (-1, "abc", []) is kept for the reader to quarantine: skipped
  // unseen, it made a complete snapshot that removed the account (issue 13).
  const projects = Object.entries(accounts).filter(([project]) => nested || !MESSAGE_MEMBERS.has(project));
  const items = projects.map(([project, usage]) => ({ project, usage }));
  // A cloud has projects, with accounts or without (null): a message of neither is not a report.
  if (!items.length) return [unread(swiftAccount, 'swift messages without any project')];
  return [{ type: swiftAccount, shape: 'swift', path: nested ? 'data.swift' : 'data', items, keys: projects.map(([project]) => project) }];
};
