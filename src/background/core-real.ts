// The real src/core behind the background's BgCore interface.

import {
  keyFromJupyterSecretFile,
  keyFingerprint,
  exportKey,
  importKey,
  randomKey,
} from '../core/secret';
import { decide, recordDigest } from '../core/trust';
import type { BgCore } from './core-api';

export const realCore: BgCore = {
  async decide(text, keys, isRecorded, previousRecordDigest) {
    const v = await decide({
      text,
      keys,
      isRecorded,
      ...(previousRecordDigest !== undefined ? { previousRecordDigest } : {}),
    });
    const out: { trusted: boolean; reason: string; message: string; keyId?: string } = {
      trusted: v.trusted,
      reason: v.reason,
      message: v.message,
    };
    if (v.keyId !== undefined) out.keyId = v.keyId;
    return out;
  },
  async recordDigest(text, key) {
    const r = await recordDigest(text, key);
    if (!r.ok) throw new Error(`Cannot trust this notebook: ${r.error.message}`);
    return r.value;
  },
  randomKeyBytes: () => randomKey(32),
  fingerprint: (bytes) => keyFingerprint(bytes),
  exportKey: (key, passphrase) => exportKey(key.bytes, passphrase),
  async importKey(exported, passphrase) {
    const r = await importKey(exported, passphrase);
    if (!r.ok) throw new Error(capitalise(r.error.message));
    return { bytes: r.value };
  },
  keyFromJupyterSecret(fileText) {
    const r = keyFromJupyterSecretFile(new TextEncoder().encode(fileText));
    if (!r.ok) throw new Error(capitalise(r.error.message));
    return r.value;
  },
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
