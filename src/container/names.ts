// Generated container names in Docker's style: adjective_surname (moby pkg/namesgenerator),
// with a short list of our own; a number is appended on collision.
const LEFT = ['admiring', 'amazing', 'bold', 'brave', 'busy', 'calm', 'clever', 'cool', 'dazzling', 'eager',
  'ecstatic', 'elegant', 'epic', 'fervent', 'focused', 'gallant', 'gifted', 'happy', 'hopeful', 'jolly',
  'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'nifty', 'nostalgic', 'optimistic',
  'peaceful', 'pensive', 'quirky', 'relaxed', 'serene', 'sharp', 'silly', 'stoic', 'sweet', 'tender',
  'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'wonderful', 'youthful', 'zealous', 'zen'];
const RIGHT = ['albattani', 'allen', 'archimedes', 'babbage', 'bardeen', 'bell', 'bhabha', 'boole', 'borg',
  'bose', 'brahmagupta', 'cerf', 'curie', 'darwin', 'dijkstra', 'einstein', 'euclid', 'euler', 'faraday',
  'fermat', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'hamilton', 'hawking', 'hopper', 'hypatia',
  'johnson', 'kepler', 'knuth', 'lamport', 'lovelace', 'mayer', 'mccarthy', 'meitner', 'newton', 'noether',
  'pascal', 'payne', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wilson', 'wozniak', 'yalow'];

export function generateName(taken: (name: string) => boolean, random: () => number = Math.random): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const name = `${LEFT[Math.floor(random() * LEFT.length)]}_${RIGHT[Math.floor(random() * RIGHT.length)]}`;
    const candidate = attempt === 0 ? name : `${name}${Math.floor(random() * 10)}`;
    if (!taken(candidate)) return candidate;
  }
  let n = 0;
  for (;;) {
    const c = `berth_${n++}`;
    if (!taken(c)) return c;
  }
}

/** Docker's rule for user-given names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
