import { describe, expect, it } from 'vitest';
import {
  alertName,
  cipherName,
  cipherProperties,
  contentTypeName,
  extensionName,
  groupName,
  handshakeTypeName,
  hexCode,
  isGrease,
  signatureSchemeName,
  sslv2CipherName,
  versionDetail,
  versionName,
  versionProtocol,
} from '../../src/registry/names.js';

describe('cipher suites', () => {
  it.each([
    [0x1301, 'TLS_AES_128_GCM_SHA256'],
    [0x1302, 'TLS_AES_256_GCM_SHA384'],
    [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
    [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    [0xcc13, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD'],
    [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
    [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5'],
    [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
    [0x5600, 'TLS_FALLBACK_SCSV'],
    [0x1306, 'TLS_AEGIS_256_SHA512'],
  ])('%i → %s', (code, name) => {
    expect(cipherName(code)).toBe(name);
  });

  it('writes unknown code points as upper-case 4-digit hex', () => {
    expect(cipherName(0x1a2b)).toBe('0x1A2B');
    expect(cipherName(0x0047)).toBe('0x0047');
    expect(hexCode(0xab)).toBe('0x00AB');
  });

  it('has no names for GREASE values', () => {
    expect(cipherName(0x0a0a)).toBe('0x0A0A');
    expect(cipherName(0xfafa)).toBe('0xFAFA');
  });
});

describe('SSLv2 cipher kinds', () => {
  it('uses the SSL_CK_ spelling for the 3-byte kinds', () => {
    expect(sslv2CipherName(0x010080)).toBe('SSL_CK_RC4_128_WITH_MD5');
    expect(sslv2CipherName(0x020080)).toBe('SSL_CK_RC4_128_EXPORT40_WITH_MD5');
    expect(sslv2CipherName(0x0700c0)).toBe('SSL_CK_DES_192_EDE3_CBC_WITH_MD5');
  });
  it('names 0x00XXYY specs as TLS suites, unknown kinds as 6-digit hex', () => {
    expect(sslv2CipherName(0x000004)).toBe('TLS_RSA_WITH_RC4_128_MD5');
    expect(sslv2CipherName(0x00c02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(sslv2CipherName(0xff0800)).toBe('0xFF0800');
  });
});

describe('named groups', () => {
  it.each([
    [23, 'secp256r1'],
    [24, 'secp384r1'],
    [25, 'secp521r1'],
    [29, 'x25519'],
    [30, 'x448'],
    [0x0100, 'ffdhe2048'],
    [0x0200, 'MLKEM512'],
    [0x11eb, 'SecP256r1MLKEM768'],
    [0x11ec, 'X25519MLKEM768'],
    [0x11ed, 'SecP384r1MLKEM1024'],
    [0x6399, 'X25519Kyber768Draft00'],
    [0x639a, 'SecP256r1Kyber768Draft00'],
  ])('%i → %s', (code, name) => {
    expect(groupName(code)).toBe(name);
  });
  it('unknown → hex', () => {
    expect(groupName(0x1234)).toBe('0x1234');
    expect(groupName(0x2a2a)).toBe('0x2A2A');
  });
});

describe('signature schemes', () => {
  it.each([
    [0x0804, 'rsa_pss_rsae_sha256'],
    [0x0403, 'ecdsa_secp256r1_sha256'],
    [0x0401, 'rsa_pkcs1_sha256'],
    [0x0201, 'rsa_pkcs1_sha1'],
    [0x0807, 'ed25519'],
    [0x0809, 'rsa_pss_pss_sha256'],
    [0x0420, 'rsa_pkcs1_sha256_legacy'],
    [0x0905, 'mldsa65'],
  ])('%i → %s', (code, name) => {
    expect(signatureSchemeName(code)).toBe(name);
  });
  it('legacy TLS 1.2 pairs without a SignatureScheme name → hex', () => {
    expect(signatureSchemeName(0x0202)).toBe('0x0202');
  });
});

describe('extension types', () => {
  it.each([
    [0, 'server_name'],
    [5, 'status_request'],
    [10, 'supported_groups'],
    [11, 'ec_point_formats'],
    [13, 'signature_algorithms'],
    [16, 'application_layer_protocol_negotiation'],
    [23, 'extended_master_secret'],
    [27, 'compress_certificate'],
    [34, 'delegated_credential'],
    [35, 'session_ticket'],
    [40, 'key_share_RESERVED'],
    [43, 'supported_versions'],
    [51, 'key_share'],
    [53, 'connection_id_deprecated'],
    [0x3374, 'next_protocol_negotiation'],
    [0x4469, 'application_settings_old'],
    [0x44cd, 'application_settings'],
    [0xfd00, 'ech_outer_extensions'],
    [0xfe0d, 'encrypted_client_hello'],
    [0xff01, 'renegotiation_info'],
  ])('%i → %s', (code, name) => {
    expect(extensionName(code)).toBe(name);
  });
});

describe('alerts, handshake and content types', () => {
  it('alerts use IANA snake_case', () => {
    expect(alertName(0)).toBe('close_notify');
    expect(alertName(20)).toBe('bad_record_mac');
    expect(alertName(40)).toBe('handshake_failure');
    expect(alertName(48)).toBe('unknown_ca');
    expect(alertName(70)).toBe('protocol_version');
    expect(alertName(86)).toBe('inappropriate_fallback');
    expect(alertName(112)).toBe('unrecognized_name');
    expect(alertName(120)).toBe('no_application_protocol');
    expect(alertName(121)).toBe('ech_required');
    expect(alertName(200)).toBe('0xC8');
  });
  it('handshake types', () => {
    expect(handshakeTypeName(1)).toBe('client_hello');
    expect(handshakeTypeName(2)).toBe('server_hello');
    expect(handshakeTypeName(8)).toBe('encrypted_extensions');
    expect(handshakeTypeName(11)).toBe('certificate');
    expect(handshakeTypeName(14)).toBe('server_hello_done');
    expect(handshakeTypeName(21)).toBe('certificate_url');
    expect(handshakeTypeName(25)).toBe('compressed_certificate');
    expect(handshakeTypeName(67)).toBe('next_protocol');
    expect(handshakeTypeName(254)).toBe('message_hash');
    expect(handshakeTypeName(99)).toBe('0x63');
  });
  it('content types', () => {
    expect(contentTypeName(20)).toBe('change_cipher_spec');
    expect(contentTypeName(21)).toBe('alert');
    expect(contentTypeName(22)).toBe('handshake');
    expect(contentTypeName(23)).toBe('application_data');
    expect(contentTypeName(24)).toBe('heartbeat');
    expect(contentTypeName(25)).toBe('tls12_cid');
  });
});

describe('isGrease', () => {
  it('accepts exactly the sixteen RFC 8701 values', () => {
    const grease: number[] = [];
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => (i << 12) | 0x0a00 | (i << 4) | 0x0a));
    expect(grease[0]).toBe(0x0a0a);
    expect(grease[15]).toBe(0xfafa);
  });
  it('rejects near misses', () => {
    expect(isGrease(0x0a1a)).toBe(false);
    expect(isGrease(0x1a0a)).toBe(false);
    expect(isGrease(0x0a0b)).toBe(false);
    expect(isGrease(0x0a)).toBe(false);
    expect(isGrease(0x0a0a0a)).toBe(false);
    expect(isGrease(-0x0a0a)).toBe(false);
    expect(isGrease(2570.5)).toBe(false);
  });
});

describe('versions', () => {
  it.each([
    [0x0002, '2.0', 'ssl', 'ssl2.0'],
    [0x0300, '3.0', 'ssl', 'ssl3.0'],
    [0x0301, '1.0', 'tls', 'tls1.0'],
    [0x0302, '1.1', 'tls', 'tls1.1'],
    [0x0303, '1.2', 'tls', 'tls1.2'],
    [0x0304, '1.3', 'tls', 'tls1.3'],
    [0xfeff, '1.0', 'dtls', 'dtls1.0'],
    [0xfefd, '1.2', 'dtls', 'dtls1.2'],
    [0xfefc, '1.3', 'dtls', 'dtls1.3'],
  ])('%i → %s', (code, name, protocol, detail) => {
    expect(versionName(code)).toBe(name);
    expect(versionProtocol(code)).toBe(protocol);
    expect(versionDetail(code)).toBe(detail);
  });

  it('leaves TLS 1.3 drafts and experiments to versionDetail', () => {
    expect(versionName(0x7f17)).toBeUndefined();
    expect(versionDetail(0x7f17)).toBe('tls1.3-draft23');
    expect(versionDetail(0x7f0e)).toBe('tls1.3-draft14');
    expect(versionProtocol(0x7f17)).toBe('tls');
    expect(versionName(0x7e01)).toBeUndefined();
    expect(versionDetail(0x7e01)).toBe('tls1.3-google-experiment1');
    expect(versionDetail(0xfb17)).toBe('tls1.3-fb-draft23');
  });

  it('knows nothing of GREASE or garbage', () => {
    expect(versionName(0x0a0a)).toBeUndefined();
    expect(versionDetail(0x0a0a)).toBeUndefined();
    expect(versionProtocol(0x0a0a)).toBeUndefined();
    expect(versionDetail(0x1234)).toBeUndefined();
    expect(versionDetail(0x7f00)).toBeUndefined();
  });
});

describe('cipherProperties', () => {
  it('TLS_RSA_WITH_RC4_128_MD5: static RSA, RC4, MD5', () => {
    expect(cipherProperties(0x0004)).toEqual({
      keyExchange: 'RSA',
      authentication: 'RSA',
      encryption: 'RC4_128',
      cipher: 'RC4',
      keyBits: 128,
      mode: 'STREAM',
      aead: false,
      mac: 'MD5',
      export: false,
      forwardSecrecy: false,
      tls13: false,
      scsv: false,
    });
  });
  it('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: forward secret AEAD', () => {
    expect(cipherProperties(0xc02f)).toMatchObject({
      keyExchange: 'ECDHE',
      authentication: 'RSA',
      cipher: 'AES',
      keyBits: 128,
      mode: 'GCM',
      aead: true,
      mac: 'AEAD',
      forwardSecrecy: true,
      tls13: false,
    });
  });
  it('TLS 1.3 suites', () => {
    for (const code of [0x1301, 0x1302, 0x1303, 0x1304, 0x1305]) {
      expect(cipherProperties(code)).toMatchObject({ keyExchange: 'ANY', authentication: 'ANY', aead: true, tls13: true });
    }
    expect(cipherProperties(0x1303)).toMatchObject({ cipher: 'CHACHA20', mode: 'POLY1305' });
    expect(cipherProperties(0xc0b4)).toMatchObject({ cipher: 'NULL', mac: 'SHA256', tls13: true }); // TLS_SHA256_SHA256
  });
  it('export, anonymous, NULL, 3DES, CBC', () => {
    expect(cipherProperties(0x0003)).toMatchObject({ export: true, cipher: 'RC4', keyBits: 40 });
    expect(cipherProperties(0x0062)).toMatchObject({ export: true, cipher: 'DES', keyBits: 56 }); // EXPORT1024
    expect(cipherProperties(0x0018)).toMatchObject({ keyExchange: 'DH', authentication: 'anon' });
    expect(cipherProperties(0xc015)).toMatchObject({ keyExchange: 'ECDH', authentication: 'anon', cipher: 'NULL', mac: 'SHA' });
    expect(cipherProperties(0x0000)).toMatchObject({ keyExchange: 'NULL', cipher: 'NULL', mac: 'NULL' });
    expect(cipherProperties(0x000a)).toMatchObject({ cipher: '3DES', keyBits: 168, mode: 'CBC', mac: 'SHA' });
    expect(cipherProperties(0x003c)).toMatchObject({ cipher: 'AES', mode: 'CBC', mac: 'SHA256', forwardSecrecy: false });
    expect(cipherProperties(0x009e)).toMatchObject({ keyExchange: 'DHE', forwardSecrecy: true, aead: true });
  });
  it('PSK variants', () => {
    expect(cipherProperties(0x00a8)).toMatchObject({ keyExchange: 'PSK', authentication: 'PSK', forwardSecrecy: false });
    expect(cipherProperties(0xccac)).toMatchObject({ keyExchange: 'ECDHE_PSK', authentication: 'PSK', forwardSecrecy: true });
    expect(cipherProperties(0xc0aa)).toMatchObject({ keyExchange: 'DHE_PSK', mode: 'CCM_8' }); // TLS_PSK_DHE_WITH_AES_128_CCM_8
  });
  it('SCSVs are flagged, unknown code points have none', () => {
    expect(cipherProperties(0x00ff)).toMatchObject({ scsv: true });
    expect(cipherProperties(0x5600)).toMatchObject({ scsv: true });
    expect(cipherProperties(0xc02f)?.scsv).toBe(false);
    expect(cipherProperties(0x1a2b)).toBeUndefined();
    expect(cipherProperties(0x0a0a)).toBeUndefined();
  });
});
