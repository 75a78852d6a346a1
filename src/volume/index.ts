// volume: volumes of the `local` driver (layer L3; imports lib, api/types, events).
// Vocabulary: volume = a named directory <data-root>/volumes/<name>/_data with a record
// (volume.json: driver, labels, options, creation time); anonymous volume = one made for a
// container (`-v /path`, image VOLUME), labelled com.docker.volume.anonymous; reference = a
// container record naming the volume; active mount = a running container using it.
// On disk: volumes/<name>/{volume.json,_data/}; volumes/.tmp-* and volumes/.rm-* are
// interrupted creations and removals, cleaned by init().
// Invariants: a referenced volume is never removed; a record and its _data appear and
// disappear together (directory rename); nothing is deleted below a mount.
export { VolumeService, ANONYMOUS_LABEL, type AcquireOptions, type VolumeRecord } from './volume-service.ts';
export { volumeNameProblem, VOLUME_NAME_CHARS } from './volume-name.ts';
export { localOptionsProblem } from './local-options.ts';
export { dirSize } from './dir-size.ts';
export { NoSuchVolumeError, VolumeInUseError } from './errors.ts';
