const cache = new Map<string, boolean>();

/**
 * Whether an AWS resource type has a `tags` argument, read from its prebuilt provider class
 * (loaded by submodule path, one module per type, only for the types a stack uses).
 */
export function isTaggableType(type: string): boolean {
  if (!type.startsWith('aws_')) return false;
  const cached = cache.get(type);
  if (cached !== undefined) return cached;
  let taggable = false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`@cdktf/provider-aws/lib/${type.slice(4).replace(/_/g, '-')}`) as Record<string, unknown>;
    const cls = Object.values(mod).find(
      (c): c is { tfResourceType: string; prototype: object } =>
        typeof c === 'function' && (c as { tfResourceType?: string }).tfResourceType === type,
    );
    taggable = cls !== undefined && 'tagsInput' in cls.prototype;
  } catch {
    taggable = false;
  }
  cache.set(type, taggable);
  return taggable;
}
