// `nova` / `nova.list`: `data.instances` (Nova server details) and `data.flavors`.
import { flavor } from '../../../types/flavor.ts';
import { vm } from '../../../types/vm.ts';
import { type EnvelopeList, type EnvelopeSchema, listAt } from './schema.ts';

export const nova: EnvelopeSchema = (data) => {
  const lists: EnvelopeList[] = [];
  const instances = listAt(data, 'instances');
  if (instances) lists.push({ type: vm, shape: 'openstack', path: 'data.instances', items: instances });
  const flavors = listAt(data, 'flavors');
  if (flavors) lists.push({ type: flavor, shape: 'openstack', path: 'data.flavors', items: flavors });
  return lists;
};
