/** Publishing a function's $LATEST as a numbered version. */
import { settled } from './lifecycle.js';
import type { FunctionRecord, PublishedVersion } from './model.js';

/**
 * Publishes $LATEST unless it did not change since the last published version, in which case that
 * version is returned again, as Lambda does: a Description given alone is not a change (LSS
 * test_lambda_api TestLambdaVersions::test_version_lifecycle, third_publish_response, Nov 2025).
 */
export function publish(cur: FunctionRecord, description: string | undefined): { record: FunctionRecord; result: PublishedVersion } {
  const last = cur.versions[String(cur.lastPublished)];
  if (last && last.revisionId === cur.latest.revisionId) return { record: cur, result: last };
  const version = String(cur.lastPublished + 1);
  const published: PublishedVersion = { ...settled(cur.latest), version, description: description ?? cur.latest.description };
  return {
    record: { ...cur, versions: { ...cur.versions, [version]: published }, lastPublished: cur.lastPublished + 1 },
    result: published,
  };
}
