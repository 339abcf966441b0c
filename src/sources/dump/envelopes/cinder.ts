// `cinder` / `cinder.list`: `data.volumes` and `data.volume_snapshots` (Cinder details).
import { volume } from '../../../types/volume.ts';
import { volumeSnapshot } from '../../../types/volume_snapshot.ts';
import { openstackLists } from './schema.ts';

export const cinder = openstackLists({ volumes: volume, volume_snapshots: volumeSnapshot });
