import path from 'node:path';
import type { AdapterDefinition } from '../AdapterDefinition.ts';
import { hamSites } from '../siteMaps.ts';

export const ham10000: AdapterDefinition = {
  name: 'ham10000',
  summary: 'HAM10000 dermoscopic images: HAM10000_metadata.csv (7 columns, or 8 with `dataset`), images <image_id>.jpg in any subfolder',
  extraFiles: {},
  spec: (p) => ({
    name: 'ham10000',
    licence: 'CC BY-NC 4.0 (Harvard Dataverse); CC BY-NC-SA 4.0 on the Kaggle mirror',
    modality: 'dermoscopic',
    metadata: { file: p.metadata },
    id: { column: 'image_id' },
    imageRoot: p.images,
    images: [{ pattern: '{image_id}.jpg' }],
    label: { column: 'dx', mapFile: path.join(import.meta.dirname, 'labels.json') },
    group: 'lesion_id',
    fields: { age: 'age', sex: 'sex', site: 'localization' },
    siteMap: hamSites,
  }),
};
