/**
 * What a checkpoint's greedy answers to RL items pick: the answer, a coarser correct option, a distractor, or no
 * offered option at all (the reward's own parser decides), by how many correct options the item has (k).
 * Usage: node --import tsx bench/answerKinds.ts <checkpointId> <rlItemsId> [n=600] [split=test] [--store .skinr1]
 */
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { readCheckpoint } from '../model/checkpointFiles.ts';
import { decodeAll } from '../model/generateBatch.ts';
import { scoreCompletion } from '../rl/hierarchicalReward.ts';
import { readItems } from '../rl/rlFiles.ts';
import { RlConfigSchema } from '../schemas/rl.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { ImageLoader } from '../training/loadImage.ts';
import { printTable } from './table.ts';

const args = process.argv.slice(2);
const storeAt = args.indexOf('--store');
const root = storeAt >= 0 ? args.splice(storeAt, 2)[1]! : '.skinr1';
const [checkpointId, itemsId, n = '600', split = 'test'] = args;
if (!checkpointId || !itemsId) throw new Error('usage: answerKinds.ts <checkpointId> <rlItemsId> [n] [split] [--store dir]');

await ensureBackend('auto');
const store = new ArtifactStore(root);
const ck = await readCheckpoint(store.dirOf(checkpointId as Parameters<ArtifactStore['dirOf']>[0]));
const cfg = ck.file.modelConfig;
const { maxNewTokens } = RlConfigSchema.parse({});
// The first n of the split by item id: for the test split, the same items the RL held-out check uses.
const items = (await readItems(store, itemsId)).filter((i) => i.split === split).slice(0, Number(n));
const images = new ImageLoader(store.root, cfg.imageSize);
const rows = await Promise.all(items.map(async (item) => ({ image: await images.load(item.imageSha256), prompt: ck.tokenizer.encode(item.prompt), seed: 'greedy' })));
const outs = await decodeAll(ck.params, cfg, rows, { maxNewTokens, temperature: 0 });
const h = Hierarchy.fromFile();

const kinds = ['answer', 'coarser', 'distractor', 'none'] as const;
const counts = new Map<number, Record<(typeof kinds)[number], number>>();
items.forEach((item, i) => {
  const s = scoreCompletion(ck.tokenizer.decode(outs[i]!), item, 'hierarchical', h);
  const kind = s.choice === null ? 'none' : s.correct ? 'answer' : s.option > 0 ? 'coarser' : 'distractor';
  const k = item.options.filter((o) => o.score > 0).length;
  const c = counts.get(k) ?? { answer: 0, coarser: 0, distractor: 0, none: 0 };
  c[kind]++;
  counts.set(k, c);
});
const all = { answer: 0, coarser: 0, distractor: 0, none: 0 };
const table = [...counts].sort(([a], [b]) => a - b).map(([k, c]) => {
  for (const kind of kinds) all[kind] += c[kind];
  return { k: String(k), items: kinds.reduce((s, kind) => s + c[kind], 0), ...c };
});
table.push({ k: 'all', items: items.length, ...all });
printTable(`${checkpointId} on ${items.length} ${split} items of ${itemsId}`, table);
