/** Tagging rule: every taggable resource carries the required tags. */
import { resources } from '../terraform-json';
import { isTaggableType } from '../taggable';
import type { PolicyRule } from '../types';
import { violation } from './violation';

export const TAGGING_RULES: readonly PolicyRule[] = [
  {
    id: 'TAG-001',
    reason: 'Every resource says which project, environment, stack and owner it belongs to (and when it expires).',
    guidance: 'AWS tagging best practices; genesys-loadlab janitor (expires-at)',
    check: (t) =>
      resources(t.json)
        .filter((r) => isTaggableType(r.type))
        .flatMap((r) => {
          const tags = (r.body.tags ?? {}) as Record<string, string>;
          const missing = t.requiredTags.filter((k) => !(k in tags));
          return missing.length
            ? [
                violation(
                  'TAG-001',
                  t,
                  r,
                  `lacks tags ${missing.join(', ')}`,
                  'let the stack tagging aspect tag it (do not replace tags wholesale)',
                ),
              ]
            : [];
        }),
  },
];
