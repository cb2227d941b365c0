/** TLS registry: generated IANA name tables and the helpers around them. */
export * from './names.js';
export type * from './types.js';
export { ALERT_DESCRIPTIONS } from './alert-descriptions.generated.js';
export { CIPHER_SUITE_PROPERTIES } from './cipher-suite-properties.generated.js';
export { CIPHER_SUITES } from './cipher-suites.generated.js';
export { CONTENT_TYPES } from './content-types.generated.js';
export { EXTENSION_TYPES } from './extension-types.generated.js';
export { HANDSHAKE_TYPES } from './handshake-types.generated.js';
export { NAMED_GROUPS } from './named-groups.generated.js';
export { SIGNATURE_SCHEMES } from './signature-schemes.generated.js';
export { SSLV2_CIPHER_KINDS } from './sslv2-cipher-kinds.generated.js';
