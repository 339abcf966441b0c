// `openstack server list -f json` (and the other `openstack … list -f json`) prints a list of rows with
// title-case column names (`ID`, `Name`, `Status`, `Networks`, `Image`, `Flavor`). It is refused, with
// what it is and what to save instead: it has no tenant id, no flavor sizes and no times (not even with
// `--long`), so its VMs could not be billed or told apart by project (SPEC §4.1.2 reads the API's answer).
import { isObject } from '../../types/type.ts';

/** What each CLI listing is, by a column only it has; what it lacks; the API request whose answer we read. */
const LISTINGS: readonly { readonly columns: readonly string[]; readonly command: string; readonly lacks: string; readonly request: string }[] = [
  {
    columns: ['Networks', 'Flavor', 'Flavor Name', 'Flavor ID', 'Power State'],
    command: 'server list',
    lacks: 'no tenant ids, flavor sizes or times, even with --long',
    request: '<compute endpoint>/servers/detail?all_tenants=1',
  },
  {
    columns: ['Attached to'],
    command: 'volume list',
    lacks: 'no tenant ids or times, even with --long',
    request: '<block-storage endpoint>/volumes/detail?all_tenants=1',
  },
];

/** The one-line refusal when `first` (a list's first element) is a row of `openstack … list -f json`. */
export function openstackCliListing(first: unknown): string | undefined {
  if (!isObject(first) || !('ID' in first) || !('Name' in first)) return undefined;
  const columns = Object.keys(first);
  if (!columns.every((column) => /^[A-Z]/.test(column))) return undefined;
  const listing = LISTINGS.find((candidate) => candidate.columns.some((column) => column in first));
  const what = `this is \`openstack ${listing?.command ?? '… list'} -f json\` output (title-case columns ${columns.slice(0, 6).join(', ')})`;
  if (!listing) return `${what}, not an API response; save the API's own answer instead (see "Raw OpenStack list responses" in the README)`;
  return (
    `${what}, which has ${listing.lacks}; save the API's own answer instead: ` +
    `curl -H "X-Auth-Token: $(openstack token issue -c id -f value)" "${listing.request}" > dump.json`
  );
}
