import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
  type GetResourcesCommandOutput,
} from '@aws-sdk/client-resource-groups-tagging-api';
import type { TaggedResource } from './janitor-report';
import { explainAwsError } from './io';

/** One `tag:GetResources` page request; injectable so paging is tested without AWS. */
export type GetResourcesPage = (
  paginationToken: string | undefined,
) => Promise<Pick<GetResourcesCommandOutput, 'ResourceTagMappingList' | 'PaginationToken'>>;

/** `tag:GetResources` filtered to the project's resources that carry `expires-at` (any value). */
export function getResourcesPage(region: string, project = 'genesys-loadlab'): GetResourcesPage {
  const client = new ResourceGroupsTaggingAPIClient({ region });
  return (token) =>
    client
      .send(
        new GetResourcesCommand({
          TagFilters: [{ Key: 'project', Values: [project] }, { Key: 'expires-at' }],
          ResourcesPerPage: 100,
          PaginationToken: token || undefined,
        }),
      )
      .catch((err: unknown) => {
        throw explainAwsError(err, `tag:GetResources in ${region}`);
      });
}

/** Follows `PaginationToken` to the end; `onPage` reports progress (resources so far). */
export async function listTaggedResources(
  getPage: GetResourcesPage,
  onPage?: (total: number) => void,
  maxPages = 1000,
): Promise<TaggedResource[]> {
  const out: TaggedResource[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await getPage(token);
    for (const m of res.ResourceTagMappingList ?? []) {
      if (!m.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const t of m.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
      out.push({ arn: m.ResourceARN, tags });
    }
    onPage?.(out.length);
    // The API ends a listing with an empty token, not an absent one.
    token = res.PaginationToken || undefined;
    if (!token) return out;
  }
  throw new Error(`tag:GetResources returned more than ${maxPages} pages; narrow the listing`);
}
