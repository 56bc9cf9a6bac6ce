/** `pglambda gc`: remove the PostgreSQL clusters of data dirs that are gone (as root they live apart from them). */
import { Command } from 'commander';
import { clustersDir, isRoot } from '../db/layout.js';

export function gcCommand(): Command {
  return new Command('gc')
    .description(
      `remove the PostgreSQL clusters of deleted data dirs from ${clustersDir()} (where they live when pglambda runs as root); every start does it too`,
    )
    .action(async () => {
      if (!isRoot()) {
        console.log(
          `nothing to do: only as root does pglambda keep clusters in ${clustersDir()}, and only root may remove them; otherwise a cluster lives in its data dir`,
        );
        return;
      }
      const { collectOrphanClusters, removedLines } = await import('../db/cluster-gc.js');
      const say = (line: string) => console.error(`pglambda: ${line}`);
      const result = await collectOrphanClusters({ info: say, warn: say });
      for (const line of removedLines(result)) console.log(line);
      if (result.removed.length === 0) console.log(`no cluster in ${clustersDir()} belongs to a deleted data dir`);
      for (const root of result.unknown) {
        console.log(
          `kept ${root}: made before clusters recorded their data dir, so whose it is cannot be told; the next start of its data dir records it`,
        );
      }
    });
}
