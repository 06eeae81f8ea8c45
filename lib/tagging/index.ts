import { Aspects, TerraformDataSource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

/** Resources whose provider schema has a `tags` map expose these accessors. */
interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

// Data sources are skipped: on some (aws_vpc, aws_subnet, ...) `tags` is a filter, so the lookup
// would miss, and a pr-* environment's reads of its base archive must not claim its tags.
const isTaggable = (node: IConstruct): node is IConstruct & Taggable =>
  !(node instanceof TerraformDataSource) &&
  'tagsInput' in node &&
  'tags' in node &&
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(node), 'tags')?.set !== undefined;

/**
 * Writes the project tags onto every taggable resource, explicit in the synthesized JSON so
 * plan reviews and the policy suite can see them (the provider's default_tags carries them too,
 * for resources created outside cdktf's view). Tags a resource sets itself win.
 */
export class TaggingAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) node.tags = { ...this.tags, ...(node.tagsInput ?? {}) };
  }
}

export function tagEverything(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  Aspects.of(scope).add(new TaggingAspect(tags));
}
