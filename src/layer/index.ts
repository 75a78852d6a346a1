// layer: the layer store (layer L2). Vocabulary: diffID = sha256 of a layer's uncompressed
// tar; chainID = a layer with all its parents (chain-id.ts); cache-id = the directory of
// the layer's files in the graph driver (overlay2, vfs or btrfs: graph-driver.ts). Image
// layers are read-only and shared; each container has one read-write layer named by its id.
// See layer-store.ts for the on-disk layout, overlay2.ts and snapshot-driver.ts for the drivers'.
export { LayerStore, type LayerRecord, type DirDiff } from './layer-store.ts';
export { chainIdOf, chainIdsOf } from './chain-id.ts';
export { type IdShift } from './id-shift.ts';
export { tarUpperDir, diffUpperDir, type DiffStats } from './diff-upper.ts';
export { encodeHeader, END_OF_ARCHIVE, padding, type GoTarHeader } from './go-tar.ts';
export { isOpaqueDir, lsetxattr } from './xattr.ts';
export { convertWhiteouts, type StagedLayer } from './staged-layer.ts';
export { overlayChanges, type LayerChange, type ChangeKind } from './changes.ts';
export { type GraphDriver, type DriverName, DRIVER_NAMES, backingFsName, chooseDriver } from './graph-driver.ts';
export { selectGraphDriver, type DriverChoice } from './driver-select.ts';
export { type LayerTar } from './layer-export.ts';
export { verifiedFileStream, cleanEntryName } from './tar-split.ts';
