// `hnas.filesystems`: `data.filesystems` maps each file system of an HNAS to `{capacity, free,
// live-fs-used, snapshot-used}` (numbers as text) and, for those the producer is set to list,
// `virtual_volumes: [{volume-name, user-group-account, file-count, usage, usage-limit, ...}]`.
import { filesystem } from '../../../types/filesystem.ts';
import { virtualVolume } from '../../../types/virtual_volume.ts';
import { isObject } from '../../../types/type.ts';
import { emptyList, hostScope, unread, within } from './nested.ts';
import { type EnvelopeList, type EnvelopeSchema, notA } from './schema.ts';

const SHAPE = 'hnas.filesystems';

/**
 * One message covers the whole HNAS: a complete snapshot of its file systems and of their virtual
 * volumes. A file system without a `virtual_volumes` list has none listed (the producer leaves
 * the list out when a file system has no volumes, and for those it is not set to list).
 */
export const hnas: EnvelopeSchema = (data) => {
  const entries = fileSystems(data.filesystems);
  if (!entries) return [unread(filesystem, 'hnas.filesystems messages without a filesystems map')];
  const host = data.hostname;
  const volumes = entries.flatMap(([name, details]): EnvelopeList[] => {
    const path = `data.filesystems.${String(name)}.virtual_volumes`;
    // A file system that is not an object is quarantined; its volumes are then unknown, not none.
    if (!isObject(details)) return [{ ...emptyList(virtualVolume, SHAPE, path), incomplete: `data.filesystems.${String(name)} is not a file system` }];
    const list = details.virtual_volumes;
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) return [notA('list', virtualVolume, SHAPE, path, list)];
    return [{ type: virtualVolume, shape: SHAPE, path, items: list.map((volume) => within(volume, { filesystem: name })) }];
  });
  return [
    // File systems are scoped to the HNAS (several may feed one source); virtual volumes are keyed
    // by file system name only, so they assume one HNAS per source.
    { type: filesystem, shape: SHAPE, path: 'data.filesystems', items: entries.map(([name, details]) => within(details, { host, name })), scope: hostScope(data) },
    ...(volumes.length ? volumes : [emptyList(virtualVolume, SHAPE, 'data.filesystems')]),
  ];
};

/** `name -> details`; an older producer sent a list of `{lable, ...}` (sic), which means the same. */
function fileSystems(value: unknown): [unknown, unknown][] | undefined {
  if (isObject(value)) return Object.entries(value);
  if (Array.isArray(value)) return value.map((entry) => [isObject(entry) ? (entry.label ?? entry.lable) : undefined, entry]);
  return undefined;
}
