// `nova` / `nova.list`: `data.instances` (Nova server details) and `data.flavors`.
import { flavor } from '../../../types/flavor.ts';
import { vm } from '../../../types/vm.ts';
import { openstackLists } from './schema.ts';

export const nova = openstackLists({ instances: vm, flavors: flavor });
