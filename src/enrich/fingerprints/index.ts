export { ja3, ja3s, type Ja3 } from './ja3.js';
export { ja4, type Ja4, type Ja4Transport } from './ja4.js';
