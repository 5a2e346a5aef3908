import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';

export const fitzpatrick17k: AdapterDefinition = {
  name: 'fitzpatrick17k',
  summary: 'Fitzpatrick17k clinical atlas photos: fitzpatrick17k.csv (114 labels, Fitzpatrick type with -1 = unknown), images <md5hash>.jpg',
  extraFiles: {},
  spec: (p) => ({
    name: 'fitzpatrick17k',
    licence: 'CC BY-NC-SA 3.0; images copyright of the atlases',
    modality: 'clinical',
    metadata: { file: p.metadata },
    id: { column: 'md5hash' },
    imageRoot: p.images,
    images: [{ pattern: '{md5hash}.jpg' }],
    label: { column: 'label', mapFile: path.join(import.meta.dirname, 'labels.json') },
    fields: { fitzpatrick: 'fitzpatrick_scale' },
    missingValues: ['', 'nan', 'NaN', 'NA', 'unknown', '-1'],
  }),
};
