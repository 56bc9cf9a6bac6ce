/** Publishing a function's $LATEST as a numbered version. */
import { randomUUID } from 'node:crypto';
import { settled } from './lifecycle.js';
import type { FunctionRecord, PublishedVersion } from './model.js';

/**
 * Publishes $LATEST unless it did not change since the last published version, in which case that
 * version is returned again, as Lambda does: a Description given alone is not a change (LSS
 * test_lambda_api TestLambdaVersions::test_version_lifecycle, third_publish_response, Nov 2025).
 * The version gets a RevisionId of its own, and $LATEST a new one (LSS
 * TestLambdaRevisions::test_function_revisions_version_and_alias, Nov 2025).
 */
export function publish(cur: FunctionRecord, description: string | undefined): { record: FunctionRecord; result: PublishedVersion } {
  const last = cur.versions[String(cur.lastPublished)];
  if (last && unchangedSincePublished(cur, last)) return { record: cur, result: last };
  const version = String(cur.lastPublished + 1);
  const published: PublishedVersion = {
    ...settled(cur.latest),
    version,
    description: description ?? cur.latest.description,
    revisionId: randomUUID(),
  };
  const latest = { ...cur.latest, revisionId: randomUUID() };
  return {
    record: {
      ...cur,
      latest,
      versions: { ...cur.versions, [version]: published },
      lastPublished: cur.lastPublished + 1,
      latestRevisionAtPublish: latest.revisionId,
    },
    result: published,
  };
}

/** Every change to $LATEST gives it a new RevisionId; a function published before versions had their own shares it with its last version. */
function unchangedSincePublished(cur: FunctionRecord, last: PublishedVersion): boolean {
  return (cur.latestRevisionAtPublish ?? last.revisionId) === cur.latest.revisionId;
}
