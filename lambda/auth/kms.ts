/**
 * The LNURL-auth issuer's signing key on AWS: an asymmetric KMS key (RSA_2048, SIGN_VERIFY). The
 * issuer signs through kms:Sign (RSASSA_PKCS1_V1_5_SHA_256 over a SHA-256 digest = RS256), so the
 * private key never leaves KMS; the JWT authorizer fetches the public half once per cold start
 * with kms:GetPublicKey.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { sha256, type Rs256Signer } from './lnurl.js';

export const KMS_RS256_ALGORITHM = 'RSASSA_PKCS1_V1_5_SHA_256';

export function kmsRs256Signer(client: KMSClient, keyId: string): Rs256Signer {
  return async (signingInput) => {
    const out = await client.send(
      new SignCommand({ KeyId: keyId, Message: sha256(signingInput), MessageType: 'DIGEST', SigningAlgorithm: KMS_RS256_ALGORITHM }),
    );
    if (!out.Signature) throw new Error('KMS Sign returned no signature');
    return out.Signature;
  };
}

/** The KMS key's public half as a KeyObject; refuses keys that cannot produce RS256. */
export async function kmsPublicKey(client: KMSClient, keyId: string): Promise<KeyObject> {
  const out = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (!out.PublicKey) throw new Error('KMS GetPublicKey returned no key');
  if (out.KeyUsage && out.KeyUsage !== 'SIGN_VERIFY') throw new Error(`KMS key ${keyId} is not a SIGN_VERIFY key`);
  if (out.SigningAlgorithms && !out.SigningAlgorithms.includes(KMS_RS256_ALGORITHM)) {
    throw new Error(`KMS key ${keyId} does not support ${KMS_RS256_ALGORITHM}`);
  }
  return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
}
