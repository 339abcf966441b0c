// The registry: adding a resource type is one file and one line here.
import { contact } from './contact.ts';
import { filesystem } from './filesystem.ts';
import { flavor } from './flavor.ts';
import { fsUsage } from './fs_usage.ts';
import { hcpNamespace } from './hcp_namespace.ts';
import { image } from './image.ts';
import { job } from './job.ts';
import { keystoneUser } from './keystone_user.ts';
import { membership } from './membership.ts';
import { organisation } from './organisation.ts';
import { swiftAccount } from './swift_account.ts';
import { tenant } from './tenant.ts';
import type { ResourceType } from './type.ts';
import { virtualVolume } from './virtual_volume.ts';
import { vm } from './vm.ts';
import { volume } from './volume.ts';
import { volumeSnapshot } from './volume_snapshot.ts';
import { xfsQuota } from './xfs_quota.ts';

const ALL: readonly ResourceType[] = [vm, flavor, volume, volumeSnapshot, image, tenant, keystoneUser, membership, swiftAccount, job, filesystem, virtualVolume, xfsQuota, hcpNamespace, fsUsage, organisation, contact];

const BY_NAME = new Map(ALL.map((type) => [type.name, type]));

export function resourceType(name: string): ResourceType | undefined {
  return BY_NAME.get(name);
}

export function resourceTypes(): readonly ResourceType[] {
  return ALL;
}
