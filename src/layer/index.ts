// layer: the layer store (layer L2). Vocabulary: diffID = sha256 of a layer's uncompressed
// tar; chainID = a layer with all its parents (chain-id.ts); cache-id = the directory of
// the layer's files in the graph driver (overlay2). Image layers are read-only and shared;
// each container has one read-write layer named by its id. See layer-store.ts for the
// on-disk layout and overlay2.ts for the driver's.
export { LayerStore, type LayerRecord } from './layer-store.ts';
export { chainIdOf, chainIdsOf } from './chain-id.ts';
export { type IdShift } from './id-shift.ts';
export { tarUpperDir, diffUpperDir, type DiffStats } from './diff-upper.ts';
export { isOpaqueDir } from './xattr.ts';
export { convertWhiteouts, type StagedLayer } from './staged-layer.ts';
export { type LayerTar } from './layer-export.ts';
export { verifiedFileStream, cleanEntryName } from './tar-split.ts';
