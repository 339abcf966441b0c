// `cinder` / `cinder.list`: `data.volumes` and `data.volume_snapshots` (Cinder details).
import { volume } from '../../../types/volume.ts';
import { volumeSnapshot } from '../../../types/volume_snapshot.ts';
import { type EnvelopeList, type EnvelopeSchema, listAt } from './schema.ts';

export const cinder: EnvelopeSchema = (data) => {
  const lists: EnvelopeList[] = [];
  const volumes = listAt(data, 'volumes');
  if (volumes) lists.push({ type: volume, shape: 'openstack', path: 'data.volumes', items: volumes });
  const snapshots = listAt(data, 'volume_snapshots');
  if (snapshots) lists.push({ type: volumeSnapshot, shape: 'openstack', path: 'data.volume_snapshots', items: snapshots });
  return lists;
};
