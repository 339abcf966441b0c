// GPUs from Slurm's trackable resources: `gres/gpu` when the site accounts untyped GPUs, else the
// sum of the typed `gres/gpu:<type>` entries (`gres/gpu:a100=4`), never both — a site accounting
// both would otherwise count every GPU twice (issue 13: typed GPUs were dropped).

/** `counts` maps TRES names (`gres/gpu`, `gres/gpu:a100`, `cpu`, ...) to whole numbers. */
export function gpusOf(counts: ReadonlyMap<string, number | undefined>): number | undefined {
  const untyped = counts.get('gres/gpu');
  if (untyped !== undefined) return untyped;
  let typed: number | undefined;
  for (const [name, count] of counts) {
    if (name.startsWith('gres/gpu:') && count !== undefined) typed = (typed ?? 0) + count;
  }
  return typed;
}
