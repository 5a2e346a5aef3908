import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ImageIndex } from '../datasets/ImageIndex.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('ImageIndex', () => {
  it('resolves exact paths, then ignoring case, then bare names anywhere below the root; refuses escapes', async () => {
    const root = tempDir('idx');
    mkdirSync(path.join(root, 'FCl'), { recursive: true });
    mkdirSync(path.join(root, 'part_1'), { recursive: true });
    mkdirSync(path.join(root, 'part_2'), { recursive: true });
    writeFileSync(path.join(root, 'FCl', 'Fcl068.JPG'), 'x');
    writeFileSync(path.join(root, 'part_1', 'a.png'), 'x');
    writeFileSync(path.join(root, 'part_1', 'dup.png'), 'x');
    writeFileSync(path.join(root, 'part_2', 'dup.png'), 'x');
    writeFileSync(path.join(root, '..', `outside-${path.basename(root)}.png`), 'x');
    symlinkSync(path.join(root, '..', `outside-${path.basename(root)}.png`), path.join(root, 'part_1', 'link.png'));
    symlinkSync(path.join(root, 'part_1', 'a.png'), path.join(root, 'part_2', 'inner-link.png'));
    const idx = await ImageIndex.build(root);
    assert.deepEqual(idx.resolve('FCl/Fcl068.JPG'), { path: path.join(root, 'FCl', 'Fcl068.JPG'), relative: 'FCl/Fcl068.JPG' });
    assert.equal((idx.resolve('FCL/fcl068.jpg') as { relative: string }).relative, 'FCl/Fcl068.JPG', 'case differs from the file system');
    assert.equal((idx.resolve('a.png') as { relative: string }).relative, 'part_1/a.png', 'bare name found in a part folder');
    assert.equal((idx.resolve('inner-link.png') as { relative: string }).relative, 'part_2/inner-link.png', 'a symlink inside the root is fine');
    assert.deepEqual(Object.keys(idx.resolve('dup.png')), ['reason', 'detail']);
    assert.equal((idx.resolve('dup.png') as { reason: string }).reason, 'image_ambiguous');
    assert.equal((idx.resolve('link.png') as { reason: string }).reason, 'image_path_unsafe');
    assert.equal((idx.resolve('../x.png') as { reason: string }).reason, 'image_path_unsafe');
    assert.equal((idx.resolve('/etc/passwd') as { reason: string }).reason, 'image_path_unsafe');
    assert.equal((idx.resolve('C:\\images\\a.png') as { reason: string }).reason, 'image_path_unsafe');
    assert.equal((idx.resolve('nope.png') as { reason: string }).reason, 'image_missing');
  });

  it('treats a missing image folder as no images rather than an error', async () => {
    const idx = await ImageIndex.build(path.join(tempDir('idx-none'), 'does-not-exist'));
    assert.equal(idx.size, 0);
    assert.equal((idx.resolve('a.jpg') as { reason: string }).reason, 'image_missing');
  });
});
