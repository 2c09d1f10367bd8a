import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidCertificate, MAX_CERTIFICATE_UPLOAD_BYTES } from './certificate-upload.js';
import type { CertificateUploadInput } from './saml-settings.service.js';

const HOW = 'Send the certificate as multipart field "file", or JSON {"certificate": "<PEM or base64>"} or {"metadata": "<xml>"}';

/**
 * The multipart form: one part named `file`. Whatever busboy finds wrong with the framing (no
 * closing boundary, a part that is only headers, too many parts) is the client's malformed
 * upload: 400 `invalid_certificate` saying so, never an unexpected error.
 */
async function readMultipartUpload(req: FastifyRequest): Promise<CertificateUploadInput> {
  try {
    const file = await req.file();
    if (!file) throw invalidCertificate(`no file was uploaded. ${HOW}`);
    if (file.fieldname !== 'file') throw invalidCertificate(`the multipart field is "${file.fieldname}", expected "file"`);
    const data = await file.toBuffer();
    if (file.file.truncated) throw invalidCertificate('the file is over the 1 MiB limit');
    return { data, expect: 'any' };
  } catch (err) {
    if (err instanceof HttpException) throw err;
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw invalidCertificate('the file is over the 1 MiB limit');
    throw invalidCertificate(`the multipart body is malformed (${String((err as Error).message).slice(0, 120)}). ${HOW}`);
  }
}

/** Reads a certificate upload from the request: multipart field `file`, or JSON `certificate` / `metadata`. */
export async function readCertificateUpload(req: FastifyRequest): Promise<CertificateUploadInput> {
  if (req.isMultipart()) return readMultipartUpload(req);
  const body = req.body as Record<string, unknown> | undefined;
  const pick = (key: 'certificate' | 'metadata') => {
    const value = body?.[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidCertificate(`"${key}" must be a string`);
    if (Buffer.byteLength(value, 'utf8') > MAX_CERTIFICATE_UPLOAD_BYTES) throw invalidCertificate('the file is over the 1 MiB limit');
    return value;
  };
  const metadata = pick('metadata');
  if (metadata !== undefined) return { data: metadata, expect: 'metadata' };
  const certificate = pick('certificate');
  if (certificate !== undefined) return { data: certificate, expect: 'any' };
  throw invalidCertificate(`no certificate was given. ${HOW}`);
}
