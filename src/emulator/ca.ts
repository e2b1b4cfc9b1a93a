import {
  X509Certificate as NodeX509,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { systemClock, type Clock } from '../util/clock.ts';

/**
 * A private certificate authority for the emulator's proxy mode: clients that trust `caCertPem`
 * (rclone `--ca-cert`) accept the emulator as api.1fichier.com, up-N.1fichier.com, a-N.1fichier.com...
 *
 * Keys are ECDSA P-256, certificates are built with @peculiar/asn1-x509 and signed with node:crypto
 * (synchronous; @peculiar/x509 itself needs a global Reflect-metadata polyfill, so it is not used).
 * The CA lives ~10 years and is persisted; the leaf (one certificate for `1fichier.com` and
 * `*.1fichier.com`) is made at every load, lives < 398 days, and is never persisted.
 */
export interface CertificateAuthority {
  /** The CA certificate (PEM) that clients trust (rclone `--ca-cert`). */
  caCertPem: string;
  /** Returns true when `leafFor(hostname)` can serve this host name (1fichier.com or one label under it). */
  covers(hostname: string): boolean;
  /**
   * Returns TLS credentials (PEM certificate, PKCS#8 PEM key) valid for `hostname`: the same cached
   * object for every covered name. Throws an Error with code `ECA_HOST` when `covers(hostname)` is false.
   */
  leafFor(hostname: string): { cert: string; key: string };
}

export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** The domain the leaf covers: the apex and (Go's wildcard rule) exactly one label below it. */
const DOMAIN = '1fichier.com';
const DAY_MS = 86_400_000;
const CA_LIFETIME_MS = 3650 * DAY_MS;
const LEAF_LIFETIME_MS = 397 * DAY_MS;
/** A stored CA that expires sooner than this is replaced by a new one. */
const CA_RENEW_MARGIN_MS = 30 * DAY_MS;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

interface CaMaterial {
  key: KeyObject;
  subject: Name;
  keyId: ArrayBuffer;
  certPem: string;
}

/**
 * Load the CA from `dir` (ca-cert.pem, ca-key.pem) when both are present and usable, else generate a
 * new one (and save it there, key with mode 0600, when `dir` is given). A stored CA that is unparsable,
 * not an ECDSA P-256 CA, whose key does not match, or that expires within 30 days is replaced.
 * Rejects only on file-system errors other than a missing file (e.g. EACCES).
 */
export async function loadOrCreateCA(dir?: string, clock: Clock = systemClock): Promise<CertificateAuthority> {
  const now = clock.now();
  const ca = (dir !== undefined ? await loadCa(dir, now) : undefined) ?? (await createCa(now, dir));
  const leaf = createLeaf(ca, now);
  return {
    caCertPem: ca.certPem,
    covers: coversHost,
    leafFor(hostname) {
      if (!coversHost(hostname)) {
        throw Object.assign(new Error(`no certificate for host ${hostname}`), { code: 'ECA_HOST' });
      }
      return leaf;
    },
  };
}

/** True for `1fichier.com` and `<label>.1fichier.com` (case-insensitive, trailing dot allowed). */
function coversHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === DOMAIN) return true;
  const label = h.endsWith('.' + DOMAIN) ? h.slice(0, -DOMAIN.length - 1) : '';
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label);
}

async function loadCa(dir: string, now: number): Promise<CaMaterial | undefined> {
  const certPem = await readIfExists(join(dir, CA_CERT_FILE));
  const keyPem = await readIfExists(join(dir, CA_KEY_FILE));
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const nodeCert = new NodeX509(certPem);
    const key = createPrivateKey(keyPem);
    const usable =
      nodeCert.ca &&
      key.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
      nodeCert.checkPrivateKey(key) &&
      Date.parse(nodeCert.validTo) - now >= CA_RENEW_MARGIN_MS;
    if (!usable) return undefined;
    const tbs = AsnConvert.parse(nodeCert.raw, Certificate).tbsCertificate;
    return { key, subject: tbs.subject, keyId: keyIdOf(nodeCert.publicKey), certPem };
  } catch {
    return undefined;
  }
}

async function createCa(now: number, dir?: string): Promise<CaMaterial> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = makeName([
    [OID_COMMON_NAME, 'fichier-dav emulator CA'],
    [OID_ORGANIZATION, 'fichier-dav'],
  ]);
  const keyId = keyIdOf(publicKey);
  const certPem = issue({
    subject,
    issuer: subject,
    publicKey,
    signingKey: privateKey,
    notBefore: now - DAY_MS,
    notAfter: now + CA_LIFETIME_MS,
    extensions: [
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
    ],
  });
  if (dir !== undefined) {
    await mkdir(dir, { recursive: true });
    await writeAtomic(join(dir, CA_KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    await writeAtomic(join(dir, CA_CERT_FILE), certPem, 0o644);
  }
  return { key: privateKey, subject, keyId, certPem };
}

function createLeaf(ca: CaMaterial, now: number): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = issue({
    subject: makeName([[OID_COMMON_NAME, DOMAIN]]),
    issuer: ca.subject,
    publicKey,
    signingKey: ca.key,
    notBefore: now - DAY_MS,
    notAfter: now - DAY_MS + LEAF_LIFETIME_MS,
    extensions: [
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      ext(
        id_ce_subjectAltName,
        false,
        new SubjectAlternativeName([new GeneralName({ dNSName: DOMAIN }), new GeneralName({ dNSName: `*.${DOMAIN}` })]),
      ),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdOf(publicKey))),
      ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ca.keyId) })),
    ],
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

interface IssueParams {
  subject: Name;
  issuer: Name;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBefore: number;
  notAfter: number;
  extensions: Extension[];
}

/** Builds, signs (ECDSA with SHA-256) and PEM-encodes one X.509 v3 certificate. */
function issue(p: IssueParams): string {
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    signature: algorithm,
    issuer: p.issuer,
    subject: p.subject,
    validity: new Validity({ notBefore: new Date(p.notBefore), notAfter: new Date(p.notAfter) }),
    subjectPublicKeyInfo: AsnConvert.parse(spkiDer(p.publicKey), SubjectPublicKeyInfo),
    extensions: new Extensions(p.extensions),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbsCertificate)), p.signingKey);
  const der = AsnConvert.serialize(
    new Certificate({ tbsCertificate, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) }),
  );
  return new NodeX509(Buffer.from(der)).toString();
}

function ext(extnID: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function makeName(attrs: [oid: string, value: string][]): Name {
  return new Name(
    attrs.map(
      ([type, value]) =>
        new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]),
    ),
  );
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits of a public key. */
function keyIdOf(key: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(spkiDer(key), SubjectPublicKeyInfo);
  return toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest());
}

/**
 * 16 random bytes, first byte in 0x40..0x7f: the DER integer is positive and minimally encoded
 * (Go rejects negative serials and non-minimal encodings).
 */
function randomSerial(): ArrayBuffer {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x3f) | 0x40;
  return toArrayBuffer(b);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return new Uint8Array(b).buffer;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}
