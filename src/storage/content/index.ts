// storage/content: blobs by digest under <data-root>/content/ (layer L1), and which blobs
// carry which layer (by diffID). See content-store.ts for the layout.
export { ContentStore, ContentWriter, type LayerBlob } from './content-store.ts';
