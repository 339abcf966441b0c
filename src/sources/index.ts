// The registry of source kinds (SPEC §4.3): adding a kind is one folder and one line here.
import { dumpKind } from './dump/kind.ts';
import type { AnySourceKind } from './kind.ts';
import { notificationsKind } from './notifications/kind.ts';
import { openstackKind } from './openstack/kind.ts';
import { pbsKind } from './pbs/kind.ts';
import { slurmKind } from './slurm/kind.ts';

const KINDS: readonly AnySourceKind[] = [openstackKind, pbsKind, slurmKind, dumpKind, notificationsKind];

const BY_NAME = new Map(KINDS.map((kind) => [kind.name, kind]));

export function sourceKind(name: string): AnySourceKind | undefined {
  return BY_NAME.get(name);
}

export function sourceKinds(): readonly AnySourceKind[] {
  return KINDS;
}
