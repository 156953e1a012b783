import { join } from 'node:path';
import { generateSuite, type Shard, type SuiteDef } from '../golden/index.js';
import { AtomicFileWriter } from '../util/atomic.js';
import { cacheRoot } from '../sim/paths.js';
import { existsSync } from 'node:fs';

/**
 * A suite restricted to shard I/N (rf8 gen --shard semantics: cut at clears, so every shard
 * starts from a known state and the shards partition the run). The shard's vectors are written
 * once into the cache as a committed-style file, so every simulator route can run it.
 */
export function shardSuite(d: SuiteDef, sh: Shard): SuiteDef {
  if (sh.count <= 1) return d;
  const name = `${d.name}--shard-${sh.index + 1}-of-${sh.count}`;
  const path = join(cacheRoot(), 'golden', 'shards', `${name}.txt`);
  if (!existsSync(path)) {
    const w = new AtomicFileWriter(path);
    try {
      generateSuite(d, (c) => w.write(Buffer.from(c)), { shard: sh });
      w.commit();
    } catch (e) {
      w.abort();
      throw e;
    }
  }
  return { ...d, name, path };
}
