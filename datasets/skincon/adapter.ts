import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';

/** The 48 SkinCon concepts, in file order. */
export const skinconConcepts = [
  'Vesicle', 'Papule', 'Macule', 'Plaque', 'Abscess', 'Pustule', 'Bulla', 'Patch', 'Nodule', 'Ulcer', 'Crust', 'Erosion', 'Excoriation',
  'Atrophy', 'Exudate', 'Purpura/Petechiae', 'Fissure', 'Induration', 'Xerosis', 'Telangiectasia', 'Scale', 'Scar', 'Friable', 'Sclerosis',
  'Pedunculated', 'Exophytic/Fungating', 'Warty/Papillomatous', 'Dome-shaped', 'Flat topped', 'Brown(Hyperpigmentation)', 'Translucent',
  'White(Hypopigmentation)', 'Purple', 'Yellow', 'Black', 'Erythema', 'Comedo', 'Lichenification', 'Blue', 'Umbilicated', 'Poikiloderma',
  'Salmon', 'Wheal', 'Acuminate', 'Burrow', 'Gray', 'Pigmented', 'Cyst',
];

export const skincon: AdapterDefinition = {
  name: 'skincon',
  summary: 'SkinCon concept annotations on Fitzpatrick17k images: annotations_fitzpatrick17k.csv joined with fitzpatrick17k.csv by md5hash',
  extraFiles: { fitzpatrick17k: ['fitzpatrick17k.csv', '../fitzpatrick17k/fitzpatrick17k.csv'] },
  spec: (p) => ({
    name: 'skincon',
    licence: 'no explicit licence; images inherit Fitzpatrick17k (CC BY-NC-SA 3.0)',
    modality: 'clinical',
    metadata: { file: p.metadata },
    joins: [{ name: 'fitzpatrick17k', file: p.extra.fitzpatrick17k!, leftColumn: 'ImageID', rightColumn: 'md5hash', rightSuffix: '.jpg' }],
    id: { column: 'ImageID' },
    imageRoot: p.images,
    images: [{ column: 'ImageID' }],
    label: { column: 'label', mapFile: path.join(import.meta.dirname, '..', 'fitzpatrick17k', 'labels.json') },
    concepts: { columns: skinconConcepts, kind: 'binary' },
    exclude: { column: 'Do not consider this image', values: ['1'] },
    fields: { fitzpatrick: 'fitzpatrick_scale' },
    missingValues: ['', 'nan', 'NaN', 'NA', 'unknown', '-1'],
  }),
};
