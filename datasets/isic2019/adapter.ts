import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';
import { isicSites } from '../siteMaps.ts';

const classes = ['MEL', 'NV', 'BCC', 'AK', 'BKL', 'DF', 'VASC', 'SCC', 'UNK'];

export const isic2019: AdapterDefinition = {
  name: 'isic2019',
  summary: 'ISIC 2019 training set: one-hot ISIC_2019_Training_GroundTruth.csv joined with ISIC_2019_Training_Metadata.csv; images <image>.jpg',
  extraFiles: { metadata: ['ISIC_2019_Training_Metadata.csv'] },
  spec: (p) => ({
    name: 'isic2019',
    licence: 'CC BY-NC 4.0',
    modality: 'dermoscopic',
    metadata: { file: p.metadata },
    joins: [{ name: 'metadata', file: p.extra.metadata!, leftColumn: 'image', rightColumn: 'image' }],
    // Some names carry "_downsampled": the file keeps it, the sample id does not (it is the same ISIC image).
    id: { column: 'image', stripSuffix: '_downsampled' },
    imageRoot: p.images,
    images: [{ pattern: '{image}.jpg' }],
    label: { oneHot: classes, mapFile: path.join(import.meta.dirname, 'labels.json') },
    group: 'lesion_id',
    fields: { age: 'age_approx', sex: ['sex', 'gender'], site: 'anatom_site_general' },
    siteMap: isicSites,
  }),
};
