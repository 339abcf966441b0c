// The registry: adding a resource type is one file and one line here.
import { flavor } from './flavor.ts';
import { image } from './image.ts';
import { job } from './job.ts';
import { keystoneUser } from './keystone_user.ts';
import { membership } from './membership.ts';
import { swiftAccount } from './swift_account.ts';
import { tenant } from './tenant.ts';
import type { ResourceType } from './type.ts';
import { vm } from './vm.ts';
import { volume } from './volume.ts';
import { volumeSnapshot } from './volume_snapshot.ts';

const ALL: readonly ResourceType[] = [vm, flavor, volume, volumeSnapshot, image, tenant, keystoneUser, membership, swiftAccount, job];

const BY_NAME = new Map(ALL.map((type) => [type.name, type]));

export function resourceType(name: string): ResourceType | undefined {
  return BY_NAME.get(name);
}

export function resourceTypes(): readonly ResourceType[] {
  return ALL;
}
