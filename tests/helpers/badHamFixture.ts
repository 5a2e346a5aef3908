import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Expected outcome of the bad HAM10000-style fixture, row by row (reason null = accepted). */
export const badHamExpected = {
  rowsIn: 22,
  accepted: 4,
  reasons: {
    csv_malformed: 2,
    id_missing: 1,
    label_unknown: 1,
    duplicate_id: 2,
    label_conflict: 4,
    image_missing: 1,
    image_path_unsafe: 2,
    image_truncated: 1,
    image_empty: 1,
    image_undecodable: 1,
    image_too_large: 1,
    duplicate_image: 1,
  } as Record<string, number>,
};

async function lesionJpeg(file: string, rgb: [number, number, number], size = 64): Promise<void> {
  const img = sharp({ create: { width: size * 2, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).composite([
    { input: { create: { width: size / 2, height: size / 2, channels: 3, background: { r: 60, g: 40, b: 30 } } }, left: size / 2, top: size / 4 },
  ]);
  writeFileSync(file, await img.jpeg().toBuffer());
}

/**
 * A HAM10000-style folder with one of every kind of bad input: BOM, CRLF, a ragged row, invalid UTF-8, a missing id,
 * an unknown label, a duplicated id, conflicting labels (same id, and same image under two ids), a missing image,
 * `..` and a symlink leaving the folder, truncated / empty / non-image / oversized images, and a duplicate image.
 */
export async function writeBadHamFixture(dir: string): Promise<{ metadata: string; images: string }> {
  const images = path.join(dir, 'images');
  mkdirSync(path.join(images, 'part_1'), { recursive: true });
  mkdirSync(path.join(images, 'part_2'), { recursive: true });
  const colours: Array<[number, number, number]> = [[200, 160, 130], [180, 140, 110], [220, 180, 150], [170, 120, 90], [210, 150, 120], [190, 170, 140]];
  for (const [i, c] of colours.entries()) await lesionJpeg(path.join(images, i % 2 ? 'part_2' : 'part_1', `ok${i + 1}.jpg`), c);
  await lesionJpeg(path.join(images, 'part_1', 'c1.jpg'), [150, 110, 100]);
  const good = await sharp({ create: { width: 256, height: 192, channels: 3, background: '#b08060' } }).jpeg().toBuffer();
  writeFileSync(path.join(images, 'part_1', 'trunc.jpg'), good.subarray(0, Math.floor(good.length / 2)));
  writeFileSync(path.join(images, 'part_1', 'empty.jpg'), '');
  writeFileSync(path.join(images, 'part_1', 'junk.jpg'), 'this is not an image');
  writeFileSync(path.join(images, 'part_1', 'bomb.jpg'), await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#fff' } }).jpeg().toBuffer());
  copyFileSync(path.join(images, 'part_2', 'ok2.jpg'), path.join(images, 'part_2', 'copy_of_ok2.jpg'));
  copyFileSync(path.join(images, 'part_2', 'ok4.jpg'), path.join(images, 'part_1', 'copy_of_ok4.jpg'));
  writeFileSync(path.join(dir, 'secret.jpg'), good);
  symlinkSync(path.join(dir, 'secret.jpg'), path.join(images, 'part_1', 'escape.jpg'));

  const lines = [
    'lesion_id,image_id,dx,dx_type,age,sex,localization',
    'HAM_1,ok1,nv,histo,45,male,back', // accepted
    'HAM_2,ok2,mel,histo,60,female,face', // accepted
    'HAM_3,ok3,bkl,histo,70,male,trunk', // accepted (lesion HAM_3 has two images)
    'HAM_3,ok4,bkl,histo,70,male,trunk', // label_conflict: same image as copy_of_ok4 (labelled df below)
    'HAM_5,ok1,nv,histo,45,male,back', // duplicate_id
    'HAM_6,ok5,zzz,histo,45,male,back', // label_unknown
    'HAM_7,c1,nv,histo,30,female,back', // label_conflict (same id, two labels)
    'HAM_7,c1,mel,histo,30,female,back', // label_conflict
    'HAM_8,trunc,nv,histo,30,female,back', // image_truncated
    'HAM_9,empty,nv,histo,30,female,back', // image_empty
    'HAM_10,junk,nv,histo,30,female,back', // image_undecodable
    'HAM_11,bomb,nv,histo,30,female,back', // image_too_large
    'HAM_12,nope,nv,histo,30,female,back', // image_missing
    'HAM_13,ok6,nv,histo,30,female,back,EXTRA', // csv_malformed (ragged)
    'HAM_14,,nv,histo,30,female,back', // id_missing
    'HAM_15,ok6,nv,histo,30,female,\xff\xfe', // csv_malformed (invalid UTF-8)
    'HAM_16,escape,nv,histo,30,female,back', // image_path_unsafe (symlink out)
    'HAM_17,../secret,nv,histo,30,female,back', // image_path_unsafe (..)
    'HAM_18,copy_of_ok2,mel,histo,60,female,face', // duplicate_image (same bytes as ok2, same label)
    'HAM_19,copy_of_ok4,df,histo,70,male,trunk', // label_conflict (same bytes as ok4, other label)
    'HAM_20,ok6,vasc,histo,,unknown,unknown', // accepted (blank age)
    'HAM_21,ok3,bkl,histo,70,male,trunk', // duplicate_id (ok3 again, same label)
  ];
  const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'latin1')]);
  const metadata = path.join(dir, 'HAM10000_metadata.csv');
  writeFileSync(metadata, body);
  return { metadata, images };
}
