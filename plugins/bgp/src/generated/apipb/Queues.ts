// Original file: proto/gobgp.proto


export interface Queues {
  'input'?: (number);
  'output'?: (number);
}

export interface Queues__Output {
  'input': (number);
  'output': (number);
}
