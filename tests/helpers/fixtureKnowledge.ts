import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { Hierarchy } from '../../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../../knowledge/KnowledgeBase.ts';
import { tempDir } from './tempDir.ts';

/**
 * A small knowledge base for unit tests: the project's feature vocabulary plus a fixed three-disease chapter
 * (melanoma, melanocytic nevus, seborrheic keratosis), so tests do not change when the project's chapters grow.
 */
export function fixtureKnowledge(): { dir: string; kb: KnowledgeBase; h: Hierarchy } {
  const dir = tempDir('kb-fixture');
  copyFileSync(path.join(defaultKnowledgeDir, '00-features.md'), path.join(dir, '00-features.md'));
  copyFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'knowledge', '10-pigmented.md'), path.join(dir, '10-pigmented.md'));
  const h = Hierarchy.fromFile();
  return { dir, kb: KnowledgeBase.load(dir, h).kb, h };
}
